"""The worker as a running thing: the APScheduler loop, heartbeats, and a graceful stop."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

import scheduler.worker
from content.models import WorkerHeartbeat
from content.timeutil import utcnow
from scheduler.control import status
from scheduler.dispatch import claim
from scheduler.worker import Worker
from tests.scheduler.harness import Harness

WP_POSTS = "/wp/v2/posts"


def wait_for(condition: Callable[[], bool], timeout: float) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, "condition not reached in time"
        time.sleep(0.02)
    return time.monotonic() - started


def heartbeat_of(h: Harness, worker_id: str) -> WorkerHeartbeat:
    with h.app.db.read() as session:
        row = session.get(WorkerHeartbeat, worker_id)
    assert row is not None
    return row


def test_the_running_loop_publishes_a_due_post_within_seconds(
    bench: Callable[..., Harness],
) -> None:
    h = bench(worker={"dispatch_interval_seconds": 0.5})
    worker = h.worker(worker_id="loop")
    worker.start()
    try:
        assert heartbeat_of(h, "loop").stopping is False  # said hello before the first tick
        post_id = h.post(["web-asean", "fb-asean-hue"], due=utcnow())
        took = wait_for(lambda: h.states([post_id]) == {"published": 2}, timeout=5)
        assert took < 5
        assert worker.last_dispatch_at is not None
        jobs = {job.id for job in worker._scheduler.get_jobs()}
        assert {"dispatch", "heartbeat", "reap", "reconcile", "token_refresh"} <= jobs
    finally:
        worker.stop()
    assert not worker._scheduler.running
    assert heartbeat_of(h, "loop").stopping is True
    assert worker.counts["published"] == 2
    title = h.title_of(post_id)
    assert h.on_platform(title, "web-asean") == h.on_platform(title, "fb-asean-hue") == 1


def test_stop_finishes_what_is_sending_and_gives_back_unstarted_claims(
    bench: Callable[..., Harness],
) -> None:
    h = bench()
    sending = h.post(["web-asean"], due=utcnow())
    later = utcnow() + timedelta(minutes=1)
    waiting = h.post(["web-asean"], due=later)
    worker = h.worker(threads=2, worker_id="stopping")
    h.faults("wordpress", latency_ms=700, paths=[WP_POSTS])
    assert worker.dispatch_once() == 1
    wait_for(lambda: h.delivery(sending).state == "sending", timeout=5)
    # A claim the worker made but had not started yet when the signal came.
    with h.app.db.write() as session:
        [taken] = claim(session, "stopping", 1, later, worker.lease, worker.settings.limits)
    assert h.delivery(waiting).state == "claimed"

    worker.stop()
    row = h.delivery(sending)
    assert row.state == "published"  # finished within the grace, not abandoned
    row = h.delivery(waiting)
    assert (row.state, row.lease_owner, row.lease_expires_at, row.attempts) == (
        "scheduled", None, None, 0,
    )  # fmt: skip
    assert taken.delivery_id == row.id
    assert worker.dispatch_once() == 0  # a stopping worker claims nothing more
    beat = heartbeat_of(h, "stopping")
    assert beat.stopping and beat.in_flight == 0
    assert [w.alive for w in status(h.app.db, utcnow()).workers] == [False]

    h.set_due(waiting, utcnow())
    successor = h.worker(worker_id="successor")
    assert h.drain(successor) == 1
    assert h.delivery(waiting).state == "published"
    assert len(h.state()["wordpress"]["posts"]) == 2


def test_stop_does_not_wait_forever_for_a_slow_platform(bench: Callable[..., Harness]) -> None:
    h = bench(worker={"shutdown_grace_seconds": 0.2})
    post_id = h.post(["web-asean"], due=utcnow())
    worker = h.worker(worker_id="impatient")
    h.faults("wordpress", latency_ms=3000, paths=[WP_POSTS])
    assert worker.dispatch_once() == 1
    wait_for(lambda: h.delivery(post_id).state == "sending", timeout=5)
    started = time.monotonic()
    worker.stop()
    assert time.monotonic() - started < 2.0
    row = h.delivery(post_id)
    assert (row.state, row.lease_owner) == ("sending", "impatient")  # never given back mid-send
    wait_for(lambda: h.delivery(post_id).state == "published", timeout=10)  # the call completes
    assert len(h.state()["wordpress"]["posts"]) == 1


def test_sigterm_stops_run_forever_gracefully(bench: Callable[..., Harness]) -> None:
    h = bench(worker={"dispatch_interval_seconds": 0.3})
    post_id = h.post(["web-asean"], due=utcnow())
    worker = h.worker(worker_id="signalled")
    saved = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGINT)}

    def terminate_when_published() -> None:
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and h.delivery(post_id).state != "published":
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)

    killer = threading.Thread(target=terminate_when_published)
    killer.start()
    try:
        worker.run_forever()  # returns once SIGTERM has been handled
    finally:
        killer.join()
        for number, handler in saved.items():
            signal.signal(number, handler)
    assert h.delivery(post_id).state == "published"
    assert heartbeat_of(h, "signalled").stopping is True
    assert not worker._scheduler.running


def test_an_idle_dispatch_takes_no_write_lock_and_notes_the_time(
    bench: Callable[..., Harness],
) -> None:
    h = bench()
    worker = h.worker(clock=h.clock)
    h.post(["web-asean"], at=h.clock.now + timedelta(hours=1))
    with h.app.db.write():  # another process holds the write lock...
        assert worker.dispatch_once() == 0  # ...and an idle worker is not blocked by it
    assert worker.last_dispatch_at == h.clock.now


def test_a_send_whose_thread_never_began_is_given_back_without_burning_an_attempt(
    bench: Callable[..., Harness],
) -> None:
    h = bench()
    post_id = h.post(["web-asean"], due=utcnow())
    worker = h.worker(threads=2, worker_id="never-called")
    delivery_id = h.delivery(post_id).id or 0
    with h.app.db.write() as session:
        claim(session, worker.worker_id, 1, utcnow(), worker.lease, worker.settings.limits)
    [started] = worker.publisher.start([delivery_id])  # `sending` is committed...
    worker._not_called.add(started.delivery_id)  # ...but the SIGTERM came before its thread ran
    assert h.delivery(post_id).state == "sending"

    worker.stop()
    row = h.delivery(post_id)
    assert (row.state, row.lease_owner, row.attempts) == ("scheduled", None, 0)
    [attempt] = h.attempts(delivery_id)
    assert (attempt.outcome, attempt.finished_at is not None) == ("released", True)
    assert h.on_platform(h.title_of(post_id), "web-asean") == 0


def one_sent_one_due(h: Harness) -> tuple[Worker, int, int]:
    """Two posts due on one channel and a one-thread worker whose first post is on the
    platform, not yet recorded: `published` waits for the next dispatch."""
    first, second = h.post(["web-asean"], due=utcnow()), h.post(["web-asean"], due=utcnow())
    worker = h.worker(threads=1)
    assert worker.dispatch_once() == 1
    [future] = worker.in_flight.values()
    future.result(timeout=30)
    return worker, first, second


def test_one_commit_records_what_was_published_claims_and_starts_the_next(
    bench: Callable[..., Harness],
) -> None:
    h = bench()
    worker, first, second = one_sent_one_due(h)
    assert h.delivery(first).state == "sending"
    assert h.on_platform(h.title_of(first), "web-asean") == 1

    commits: list[object] = []

    def count(connection: object) -> None:
        commits.append(connection)

    event.listen(h.app.db.engine, "commit", count)
    try:
        assert worker.dispatch_once() == 1
    finally:
        event.remove(h.app.db.engine, "commit", count)
    assert len(commits) == 1
    assert h.delivery(first).state == "published" and h.delivery(second).state == "sending"
    assert worker.counts["published"] == 1
    h.settle(worker)
    assert h.delivery(second).state == "published" and worker.counts["published"] == 2


def test_a_failing_claim_does_not_lose_what_was_published(
    bench: Callable[..., Harness], monkeypatch: pytest.MonkeyPatch
) -> None:
    h = bench()
    worker, first, second = one_sent_one_due(h)

    def broken(*args: object, **kwargs: object) -> list[object]:
        raise OperationalError("claim", {}, Exception("disk I/O error"))

    monkeypatch.setattr(scheduler.worker, "claim", broken)
    with pytest.raises(OperationalError):
        worker.dispatch_once()
    assert h.delivery(first).state == "published" and worker.counts["published"] == 1
    assert h.delivery(second).state == "scheduled"  # the claim was rolled back, nothing lost
    [attempt] = h.attempts(h.delivery(first).id or 0)
    assert attempt.outcome == "published" and attempt.finished_at is not None

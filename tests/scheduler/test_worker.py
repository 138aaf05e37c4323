"""The worker as a running thing: the APScheduler loop, heartbeats, and a graceful stop."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from datetime import timedelta

from content.models import WorkerHeartbeat
from content.timeutil import utcnow
from scheduler.batching import GroupCommit
from scheduler.control import status
from scheduler.dispatch import claim
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


def test_publications_finishing_together_are_recorded_in_one_transaction() -> None:
    batches: list[list[int]] = []
    entered, release = threading.Event(), threading.Event()

    def write(batch: Sequence[int]) -> None:
        batches.append(list(batch))
        if len(batches) == 1:  # the first writer holds the lock while the others arrive
            entered.set()
            release.wait(5)

    recorder: GroupCommit[int] = GroupCommit(write)
    first = threading.Thread(target=recorder.submit, args=(0,))
    first.start()
    assert entered.wait(5)
    others = [threading.Thread(target=recorder.submit, args=(n,)) for n in range(1, 6)]
    for thread in others:
        thread.start()
    time.sleep(0.2)  # let every other thread queue its item behind the lock
    release.set()
    for thread in [first, *others]:
        thread.join(5)
    assert batches[0] == [0]
    assert sorted(n for batch in batches[1:] for n in batch) == [1, 2, 3, 4, 5]
    assert len(batches) == 2  # the five that waited went in one write

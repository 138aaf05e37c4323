"""Unknown outcomes and expired leases: reconciling asks the platform, and nothing goes out twice.

A hang in the sandbox carries the request out and never answers it, as a real platform does when
the answer is lost on the way back: the adapter times out with OutcomeUnknown and the post exists.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from datetime import timedelta

import pytest

from content.installation import installation_key
from content.models import WorkerHeartbeat
from content.reasons import Reason
from scheduler.dispatch import claim
from scheduler.publish import RECONCILE_AFTER, Outcome
from scheduler.reasons import NOT_FOUND_AGAIN, NOT_FOUND_REVIEW, STOPPED_WHILE_SENDING
from scheduler.reconcile import ASK_AGAIN
from tests.scheduler.harness import FB_PAGES, Harness

WP_POSTS = "/wp/v2/posts"
HANG_PATHS = {
    "web-asean": ("wordpress", WP_POSTS),
    "fb-asean-hue": ("graph", f"/{FB_PAGES['fb-asean-hue']}/feed"),
    "zalo-asean-hue": ("zalo", "article/create"),
}
QUICK = {channel_id: {"timeout_seconds": 1} for channel_id in HANG_PATHS}


@pytest.fixture
def quick(bench: Callable[..., Harness]) -> Harness:
    """Adapters that give up on an unanswered request after one second."""
    return bench(settings=QUICK)


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


# -- OutcomeUnknown -> reconciling -> found ------------------------------------------------------


@pytest.mark.parametrize("channel_id", list(HANG_PATHS))
def test_an_unanswered_send_is_found_and_never_sent_twice(quick: Harness, channel_id: str) -> None:
    h = quick
    platform, path = HANG_PATHS[channel_id]
    post_id = h.post([channel_id], due=h.clock.now)
    title = h.title_of(post_id)
    worker = h.worker(clock=h.clock)
    h.faults(platform, hang_next=1, paths=[path])
    assert h.step(worker) == 1

    row = h.delivery(post_id)
    assert (row.state, row.attempts, row.lease_owner) == ("reconciling", 1, None)
    assert row.due_at == h.clock.now + RECONCILE_AFTER
    assert "no answer" in (row.last_error or "")
    [attempt] = h.attempts(row.id or 0)
    assert (attempt.outcome, attempt.error_kind) == ("reconcile", "OutcomeUnknown")
    assert h.on_platform(title, channel_id) == 1  # it landed; only the answer was lost

    assert worker.reconciler.run_once() == {"found": 0, "not_found": 0, "unanswered": 0}
    assert h.step(worker) == 0  # reconciling is never claimed for a blind retry
    h.clock.advance(seconds=RECONCILE_AFTER.total_seconds())
    assert worker.reconciler.run_once() == {"found": 1, "not_found": 0, "unanswered": 0}

    row = h.delivery(post_id)
    assert row.state == "published" and row.remote_id and row.remote_url
    assert [a.outcome for a in h.attempts(row.id or 0)] == ["reconcile", "reconciled: found"]
    h.clock.advance(hours=1)
    assert h.step(worker) == 0
    assert worker.reconciler.run_once()["found"] == 0
    assert h.on_platform(title, channel_id) == 1


def test_the_remote_id_found_is_the_one_on_the_platform(quick: Harness) -> None:
    h = quick
    post_id = h.post(["web-asean"], due=h.clock.now)
    worker = h.worker(clock=h.clock)
    h.faults("wordpress", hang_next=1, paths=[WP_POSTS])
    h.step(worker)
    h.clock.advance(seconds=30)
    worker.reconcile()
    [post] = h.state()["wordpress"]["posts"]
    row = h.delivery(post_id)
    assert (row.remote_id, row.remote_url) == (str(post["id"]), post["link"])
    with h.app.db.read() as session:
        key = installation_key(session)
    assert post["slug"] == f"loa-{key}-{post_id}-web-asean"


# -- not found ----------------------------------------------------------------------------------


def test_not_found_is_sent_again_by_default(h: Harness) -> None:
    post_id = h.post(["web-asean"], due=h.clock.now)
    worker = h.worker(clock=h.clock)
    # A proxy's HTML 500 page answering a write: the adapter cannot tell whether it landed.
    h.faults("wordpress", fail_next=["500"], paths=[WP_POSTS])
    h.step(worker)
    assert h.delivery(post_id).state == "reconciling"
    h.clock.advance(seconds=30)
    assert worker.reconciler.run_once() == {"found": 0, "not_found": 1, "unanswered": 0}

    row = h.delivery(post_id)
    assert (row.state, row.due_at, row.attempts) == ("scheduled", h.clock.now, 1)
    assert Reason.decode(row.last_error) == NOT_FOUND_AGAIN
    assert NOT_FOUND_AGAIN.en == "not found on the platform: sending again"
    assert h.step(worker) == 1
    row = h.delivery(post_id)
    assert (row.state, row.attempts) == ("published", 2)
    outcomes = [a.outcome for a in h.attempts(row.id or 0)]
    assert outcomes == ["reconcile", "reconciled: not found", "published"]
    assert len(h.state()["wordpress"]["posts"]) == 1
    assert h.alerts == []


def test_not_found_asks_a_person_when_the_channel_says_so(bench: Callable[..., Harness]) -> None:
    h = bench(settings={"web-asean": {"reconcile_not_found": "needs_review"}})
    post_id = h.post(["web-asean"], due=h.clock.now)
    row = h.delivery(post_id)
    # As if a worker had died right after committing `sending`: the post was never sent.
    h.update_delivery(
        row.id or 0,
        state="reconciling",
        attempts=1,
        send_started_at=h.clock.now,
        due_at=h.clock.now,
    )
    worker = h.worker(clock=h.clock)
    worker.reconcile()

    row = h.delivery(post_id)
    assert row.state == "needs_review"
    assert Reason.decode(row.last_error) == NOT_FOUND_REVIEW
    [alert] = h.alerts
    assert (alert.kind, alert.post_id, alert.channel_id) == ("needs_review", post_id, "web-asean")
    h.clock.advance(hours=1)
    assert h.step(worker) == 0
    worker.reconcile()
    assert h.delivery(post_id).state == "needs_review"
    assert h.state()["wordpress"]["posts"] == []


def test_a_platform_that_cannot_be_asked_is_asked_again_then_a_person(h: Harness) -> None:
    post_id = h.post(["web-asean"], due=h.clock.now)
    row = h.delivery(post_id)
    h.update_delivery(
        row.id or 0,
        state="reconciling",
        attempts=1,
        send_started_at=h.clock.now,
        due_at=h.clock.now,
    )
    worker = h.worker(clock=h.clock)
    h.faults("wordpress", errors={"db_insert_error": 1.0}, paths=[WP_POSTS])
    for check in range(1, worker.reconciler.max_checks):
        assert worker.reconciler.run_once() == {"found": 0, "not_found": 0, "unanswered": 1}
        row = h.delivery(post_id)
        assert row.state == "reconciling"
        assert row.due_at == h.clock.now + ASK_AGAIN * check
        asked = Reason.decode(row.last_error)
        assert asked is not None
        assert asked.en.startswith("checking the platform failed, asking again")
        assert asked.vi.startswith("Kiểm tra trên nền tảng không được, Loa sẽ hỏi lại")
        h.clock.now = row.due_at
    assert worker.reconciler.run_once()["unanswered"] == 1
    row = h.delivery(post_id)
    assert row.state == "needs_review"
    given_up = Reason.decode(row.last_error)
    assert given_up is not None and given_up.en.startswith("the platform could not be asked")
    assert given_up.vi.startswith("Không hỏi được nền tảng")
    assert [a.kind for a in h.alerts] == ["needs_review"]
    outcomes = [a.outcome for a in h.attempts(row.id or 0)]
    assert outcomes == ["reconcile failed"] * worker.reconciler.max_checks


# -- leases -------------------------------------------------------------------------------------


def test_an_expired_claim_goes_back_to_the_queue(h: Harness) -> None:
    post_id = h.post(["web-asean"], due=h.clock.now)
    crashed = h.worker(clock=h.clock, worker_id="crashed")
    with h.app.db.write() as session:
        [taken] = claim(session, "crashed", 1, h.clock.now, crashed.lease, {})
    h.clock.advance(seconds=crashed.lease.total_seconds())
    other = h.worker(clock=h.clock, worker_id="other")
    other.reap()
    assert h.delivery(post_id).state == "claimed"  # exactly at the expiry: still its own

    h.clock.advance(seconds=1)
    # The crashed worker's thread, if it ever ran now, would not send: the lease is gone.
    assert crashed.publisher.run(taken.delivery_id) is Outcome.lost
    other.reap()
    row = h.delivery(post_id)
    assert (row.state, row.lease_owner, row.lease_expires_at, row.attempts) == (
        "scheduled", None, None, 0,
    )  # fmt: skip
    assert h.step(other) == 1
    assert h.delivery(post_id).state == "published"
    assert [a.worker_id for a in h.attempts(row.id or 0)] == ["other"]


def test_a_send_whose_lease_expired_is_reconciled_not_resent(bench: Callable[..., Harness]) -> None:
    h = bench(settings={"web-asean": {"timeout_seconds": 2}})
    post_id = h.post(["web-asean"], due=h.clock.now)
    title = h.title_of(post_id)
    stuck = h.worker(clock=h.clock, worker_id="stuck")
    h.faults("wordpress", hang_next=1, paths=[WP_POSTS])
    assert stuck.dispatch_once() == 1
    wait_for(lambda: h.on_platform(title, "web-asean") == 1)
    assert h.delivery(post_id).state == "sending"

    h.clock.advance(seconds=stuck.lease.total_seconds() + 1)  # the stuck worker stops renewing
    rescuer = h.worker(clock=h.clock, worker_id="rescuer")
    rescuer.reap()
    row = h.delivery(post_id)
    assert (row.state, row.due_at, row.lease_owner) == ("reconciling", h.clock.now, None)
    assert Reason.decode(row.last_error) == STOPPED_WHILE_SENDING
    rescuer.reconcile()
    assert h.delivery(post_id).state == "published"

    h.settle(stuck)  # its call times out at last: too late, and it knows it
    row = h.delivery(post_id)
    assert row.state == "published" and row.attempts == 1
    outcomes = [(a.worker_id, a.outcome) for a in h.attempts(row.id or 0)]
    assert outcomes == [("stuck", "late"), ("rescuer", "reconciled: found")]
    assert h.step(rescuer) == 0 and h.step(stuck) == 0
    assert h.on_platform(title, "web-asean") == 1


def test_heartbeat_renews_the_leases_of_what_is_in_flight(h: Harness) -> None:
    post_id = h.post(["web-asean"], due=h.clock.now)
    t0 = h.clock.now
    worker = h.worker(clock=h.clock, worker_id="slow")
    h.faults("wordpress", latency_ms=800, paths=[WP_POSTS])
    assert worker.dispatch_once() == 1
    wait_for(lambda: h.delivery(post_id).state == "sending")
    assert h.delivery(post_id).lease_expires_at == t0 + worker.lease

    h.clock.advance(seconds=200)
    worker.heartbeat()
    assert h.delivery(post_id).lease_expires_at == t0 + timedelta(seconds=200) + worker.lease
    with h.app.db.read() as session:
        beat = session.get(WorkerHeartbeat, "slow")
    assert beat is not None and beat.in_flight == 1 and beat.last_seen_at == h.clock.now

    h.clock.advance(seconds=150)  # past the first lease, within the renewed one
    h.worker(clock=h.clock, worker_id="reaper").reap()
    assert h.delivery(post_id).state == "sending"
    h.settle(worker)
    row = h.delivery(post_id)
    assert row.state == "published" and [a.outcome for a in h.attempts(row.id or 0)] == [
        "published"
    ]


def test_heartbeat_does_not_renew_other_workers_leases(h: Harness) -> None:
    post_id = h.post(["web-asean"], due=h.clock.now)
    with h.app.db.write() as session:
        claim(session, "someone-else", 1, h.clock.now, timedelta(seconds=60), {})
    worker = h.worker(clock=h.clock)
    worker.in_flight[h.delivery(post_id).id or 0] = Future()  # as if it were publishing it
    h.clock.advance(seconds=30)
    worker.heartbeat()
    worker.in_flight.clear()
    assert h.delivery(post_id).lease_expires_at == h.clock.now + timedelta(seconds=30)


def test_reaping_runs_alongside_publishing(h: Harness) -> None:
    """A reaper and a publisher on one delivery: whatever the order, one post on the site."""
    ids = h.posts(4, ["web-asean"], due=h.clock.now)
    worker = h.worker(clock=h.clock)
    reaper = h.worker(clock=h.clock, worker_id="reaper")
    stop = threading.Event()

    def reap_forever() -> None:
        while not stop.is_set():
            reaper.reap()

    thread = threading.Thread(target=reap_forever)
    thread.start()
    try:
        h.drain(worker)
    finally:
        stop.set()
        thread.join()
    assert {h.delivery(p).state for p in ids} == {"published"}
    assert len(h.state()["wordpress"]["posts"]) == 4

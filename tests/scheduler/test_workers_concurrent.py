"""Several workers against one database: every delivery claimed once, every post out once.

Threads in one process on SQLite and on PostgreSQL, and separate processes (multiprocessing
spawn, each with its own `build_worker` from the same configuration) on one SQLite file.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest

from content.timeutil import utcnow
from scheduler.publish import Started
from tests.scheduler.harness import (
    Harness,
    published_counts,
    run_until_settled,
    worker_process,
)

CHANNELS = ["web-asean", "fb-asean-hue"]
POSTS = 30  # 60 deliveries
WIDE = {channel_id: {"max_concurrent": 3} for channel_id in CHANNELS}


def queue_due_posts(h: Harness) -> list[int]:
    ids = h.posts(POSTS, CHANNELS)
    now = utcnow()
    for post_id in ids:
        h.set_due(post_id, now)
    return ids


def assert_exactly_once(h: Harness, ids: list[int]) -> Counter[str]:
    """Every delivery published after one try; every post once on each platform."""
    deliveries = [d for d in h.deliveries() if d.post_id in set(ids)]
    assert len(deliveries) == 2 * POSTS
    assert Counter(d.state for d in deliveries) == {"published": 2 * POSTS}
    assert {d.attempts for d in deliveries} == {1}
    by_worker: Counter[str] = Counter()
    for delivery in deliveries:
        [attempt] = h.attempts(delivery.id or 0)
        assert attempt.outcome == "published"
        by_worker[attempt.worker_id] += 1
    state = h.state()
    titles = {h.title_of(post_id) for post_id in ids}
    for channel_id in CHANNELS:
        counts = published_counts(state, channel_id)
        assert {title: counts[title] for title in titles} == dict.fromkeys(titles, 1), channel_id
        assert sum(counts.values()) == POSTS, channel_id
    remote = [(d.channel_id, d.remote_id) for d in deliveries]
    assert len(set(remote)) == len(remote)  # no two deliveries claim one remote post
    return by_worker


@pytest.mark.slow
def test_three_workers_in_threads_claim_each_delivery_once(
    bench: Callable[..., Harness], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = bench(database=database_url, settings=WIDE)
    assert h.app.db.is_sqlite == database_url.startswith("sqlite")
    ids = queue_due_posts(h)
    h.faults("wordpress", latency_ms=20, paths=["/wp/v2/posts"])
    h.faults("graph", latency_ms=20, paths=["/feed"])
    workers = [h.worker(threads=4, worker_id=f"thread-worker-{n}") for n in range(3)]
    claims: list[tuple[str, int]] = []
    lock = threading.Lock()
    for worker in workers:
        submit = worker._submit

        def recording(started: Started, submit: Callable[[Started], None] = submit,
                      who: str = worker.worker_id) -> None:  # fmt: skip
            with lock:
                claims.append((who, started.delivery_id))
            submit(started)

        monkeypatch.setattr(worker, "_submit", recording)

    errors: list[BaseException] = []
    deadline = time.monotonic() + 40

    def run(worker: object) -> None:
        try:
            run_until_settled(worker, h.app, deadline)  # type: ignore[arg-type]
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []

    claimed = [delivery_id for _, delivery_id in claims]
    assert len(claimed) == 2 * POSTS and len(set(claimed)) == 2 * POSTS
    by_worker = assert_exactly_once(h, ids)
    assert by_worker == Counter(who for who, _ in claims)
    assert len(by_worker) >= 2, by_worker  # they really competed for the work


@pytest.mark.slow
def test_three_worker_processes_on_one_sqlite_file(bench: Callable[..., Harness]) -> None:
    h = bench(settings=WIDE)
    ids = queue_due_posts(h)
    h.faults("wordpress", latency_ms=60, paths=["/wp/v2/posts"])
    h.faults("graph", latency_ms=60, paths=["/feed"])
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Event()
    processes = [
        spawn.Process(target=worker_process, args=(str(h.config_path), f"process-{n}", start, 40.0))
        for n in range(3)
    ]
    for process in processes:
        process.start()
    try:
        time.sleep(0.2)
        start.set()  # processes still importing wait for it; then all claim together
        for process in processes:
            process.join(60)
        assert [p.exitcode for p in processes] == [0, 0, 0]
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
                process.join()
    by_worker = assert_exactly_once(h, ids)
    assert set(by_worker) <= {"process-0", "process-1", "process-2"}
    assert len(by_worker) >= 2, by_worker  # they really competed for the work


@pytest.mark.postgres
def test_concurrent_claims_on_postgres_respect_the_channel_cap(
    bench: Callable[..., Harness], postgres_url: str
) -> None:
    from sqlalchemy import update

    from content.models import Delivery
    from scheduler.dispatch import claim

    h = bench(database=postgres_url)
    h.posts(100, ["yt-hue-asean"], due=utcnow())
    limits = h.worker(worker_id="limits").settings.limits
    assert limits["yt-hue-asean"].max_concurrent == 1
    worst = 0
    for _ in range(20):  # the race is likely in each round; one over the cap is enough
        with h.app.db.write() as session:
            session.execute(update(Delivery).values(state="scheduled", lease_owner=None))
        barrier, claimed = threading.Barrier(6), []

        def dispatch(number: int, barrier: threading.Barrier, claimed: list[object]) -> None:
            barrier.wait()
            with h.app.db.write() as session:
                lease = timedelta(minutes=5)
                claimed.extend(claim(session, f"w{number}", 4, utcnow(), lease, limits))

        threads = [threading.Thread(target=dispatch, args=(n, barrier, claimed)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        worst = max(worst, len(claimed))
        if worst > 1:
            break
    assert worst == 1, f"{worst} YouTube deliveries claimed at once with a cap of 1"

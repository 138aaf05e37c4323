"""What the dispatcher claims and when: the missed rule, pause, blackouts, caps and pacing."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import event, func
from sqlmodel import col, select

from content.models import Delivery
from content.reasons import Reason
from content.timeutil import format_local
from loa.worker_app import worker_settings
from scheduler.control import set_paused, status
from scheduler.dispatch import SKIP_TOLERANCE
from tests.scheduler.harness import FB_PAGES, Harness

ZONE = "Asia/Ho_Chi_Minh"


# -- missed and grace ---------------------------------------------------------------------------


def test_a_worker_down_past_the_grace_marks_the_post_missed(h: Harness) -> None:
    due = h.clock.now + timedelta(minutes=5)
    post_id = h.post(["web-asean", "fb-asean-hue"], at=due)
    h.clock.now = due + timedelta(minutes=60, seconds=1)  # the default grace is 60 minutes
    worker = h.worker(clock=h.clock)
    assert h.step(worker) == 0

    for channel_id in ("web-asean", "fb-asean-hue"):
        row = h.delivery(post_id, channel_id)
        assert (row.state, row.attempts) == ("missed", 0)
        reason = Reason.decode(row.last_error)
        assert reason is not None and reason.en.startswith("missed: Loa was not publishing")
        assert reason.vi.startswith("Lỡ giờ đăng")
    assert sorted((a.kind, a.post_id, a.channel_id) for a in h.alerts) == [
        ("missed", post_id, "fb-asean-hue"),
        ("missed", post_id, "web-asean"),
    ]
    assert "lỡ giờ" in h.alerts[0].subject
    h.clock.advance(minutes=1)
    h.step(worker)
    assert len(h.alerts) == 2  # missed once, alerted once
    title = h.title_of(post_id)
    assert h.on_platform(title, "web-asean") == h.on_platform(title, "fb-asean-hue") == 0


def test_within_the_grace_the_post_is_published_late(h: Harness) -> None:
    due = h.clock.now + timedelta(minutes=5)
    post_id = h.post(["web-asean"], at=due)
    h.clock.now = due + timedelta(minutes=59)
    worker = h.worker(clock=h.clock)
    assert h.step(worker) == 1
    row = h.delivery(post_id)
    assert row.state == "published" and row.due_at == due
    assert h.alerts == []


def test_a_longer_grace_is_the_posts_own(h: Harness) -> None:
    due = h.clock.now + timedelta(minutes=5)
    kept = h.post(["web-asean"], at=due, grace_minutes=180)
    dropped = h.post(["web-asean"], at=due, grace_minutes=30)
    h.clock.now = due + timedelta(minutes=90)
    h.drain(h.worker(clock=h.clock))
    assert h.delivery(kept).state == "published"
    assert h.delivery(dropped).state == "missed"


def test_skip_allows_only_a_small_tolerance(h: Harness) -> None:
    due = h.clock.now + timedelta(minutes=5)
    on_time = h.post(["web-asean"], at=due, missed_policy="skip")
    too_late = h.post(["fb-asean-hue"], at=due, missed_policy="skip")
    worker = h.worker(clock=h.clock)

    h.clock.now = due + timedelta(minutes=1)  # a worker's usual delay: still published
    h.update_delivery(h.delivery(too_late).id or 0, due_at=due - timedelta(minutes=2, seconds=1))
    h.drain(worker)
    assert h.delivery(on_time).state == "published"
    assert h.delivery(too_late).state == "missed"
    assert [(a.kind, a.post_id) for a in h.alerts] == [("missed", too_late)]
    assert timedelta(minutes=2) == SKIP_TOLERANCE


def test_a_post_that_was_tried_in_time_is_never_missed(h: Harness) -> None:
    post_id = h.post(["fb-asean-hue"], due=h.clock.now, grace_minutes=10)
    worker = h.worker(clock=h.clock)
    h.faults("graph", fail_next=["2"], paths=[f"/{FB_PAGES['fb-asean-hue']}/feed"])
    h.step(worker)
    assert h.delivery(post_id).state == "scheduled"
    h.clock.advance(hours=2)  # the retry comes long after the grace
    h.step(worker)
    assert h.delivery(post_id).state == "published"
    assert h.alerts == []


# -- pause --------------------------------------------------------------------------------------


def test_pause_stops_every_worker_and_resume_starts_them(h: Harness) -> None:
    ids = h.posts(3, ["web-asean"], due=h.clock.now)
    workers = [h.worker(clock=h.clock, worker_id=f"w{n}") for n in range(2)]
    set_paused(h.app.db, True, "bientap", "Quốc tang", h.clock.now)
    for worker in workers:
        assert h.step(worker) == 0
    assert h.states(ids) == {"scheduled": 3}
    found = status(h.app.db, h.clock.now)
    assert (found.paused, found.pause_reason, found.paused_by) == (True, "Quốc tang", "bientap")
    assert found.queue == {"scheduled": 3}

    h.clock.advance(minutes=20)
    set_paused(h.app.db, False, "bientap", None, h.clock.now)
    claimed = sum(h.drain(worker) for worker in workers)
    assert claimed == 3 and h.states(ids) == {"published": 3}
    assert not status(h.app.db, h.clock.now).paused
    assert h.alerts == []


def test_what_fell_due_during_a_long_pause_follows_the_missed_rule(h: Harness) -> None:
    due = h.clock.now + timedelta(minutes=5)
    short = h.post(["web-asean"], at=due, grace_minutes=240)
    normal = h.post(["web-asean"], at=due)
    skip = h.post(["fb-asean-hue"], at=due, missed_policy="skip")
    worker = h.worker(clock=h.clock)
    set_paused(h.app.db, True, "admin", "Tang lễ", h.clock.now)
    for minutes in range(10, 130, 30):  # the worker keeps running through the pause
        h.clock.now = due + timedelta(minutes=minutes)
        assert h.step(worker) == 0
    assert h.delivery(short).state == "scheduled"
    set_paused(h.app.db, False, "admin", None, h.clock.now)
    h.drain(worker)
    assert h.delivery(short).state == "published"
    assert h.delivery(normal).state == "missed" and h.delivery(skip).state == "missed"
    assert sorted(a.post_id or 0 for a in h.alerts if a.kind == "missed") == sorted([normal, skip])


# -- blackout windows ---------------------------------------------------------------------------


def test_a_blackout_window_holds_everything_until_it_ends(bench: Callable[..., Harness]) -> None:
    from content.timeutil import utcnow, zone

    tz = zone(ZONE)
    start = utcnow().replace(second=0, microsecond=0) - timedelta(minutes=1)
    end = start + timedelta(minutes=40)
    h = bench(
        worker={
            "blackouts": [
                {
                    "start": format_local(start, tz),
                    "end": format_local(end, tz),
                    "reason": "Giao thừa",
                }
            ]
        }
    )
    [window] = worker_settings(h.app).blackouts
    assert (window.start, window.end, window.reason) == (start, end, "Giao thừa")
    kept = h.post(["web-asean"], due=h.clock.now)
    lost = h.post(["web-asean"], due=h.clock.now, grace_minutes=20)
    worker = h.worker(clock=h.clock)
    assert h.step(worker) == 0
    assert status(h.app.db, h.clock.now, worker.settings.blackouts).blackout == window

    h.clock.now = end - timedelta(seconds=1)
    assert h.step(worker) == 0
    assert h.delivery(kept).state == "scheduled"
    h.clock.now = end
    h.drain(worker)
    assert h.delivery(kept).state == "published"  # late, within its 60-minute grace
    assert h.delivery(lost).state == "missed"
    assert [(a.kind, a.post_id) for a in h.alerts] == [("missed", lost)]


# -- per-channel concurrency and pacing ---------------------------------------------------------


def _max_in_flight(h: Harness, channel_id: str, run: Callable[[], object]) -> int:
    """Run `run` while sampling how many deliveries of the channel are claimed or sending."""
    peak, stop = [0], threading.Event()

    def sample() -> None:
        while not stop.is_set():
            with h.app.db.read() as session:
                count = session.exec(
                    select(func.count())
                    .select_from(Delivery)
                    .where(
                        Delivery.channel_id == channel_id,
                        col(Delivery.state).in_(["claimed", "sending"]),
                    )
                ).one()
            peak[0] = max(peak[0], count)
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        run()
    finally:
        stop.set()
        sampler.join()
    return peak[0]


def test_youtube_publishes_one_video_at_a_time(h: Harness) -> None:
    assert worker_settings(h.app).limits["yt-hue-asean"].max_concurrent == 1
    ids = h.posts(3, ["yt-hue-asean"], due=h.clock.now)
    h.faults("youtube", latency_ms=60)
    worker = h.worker(threads=4)
    assert worker.dispatch_once() == 1  # four free threads, one video
    assert h.states(ids)["scheduled"] == 2
    assert worker.dispatch_once() == 0  # still uploading: the channel's slot is taken
    other = h.worker(threads=4, worker_id="other")
    assert other.dispatch_once() == 0  # the cap holds across workers: it lives in the database
    h.settle(worker)

    assert _max_in_flight(h, "yt-hue-asean", lambda: h.drain(worker)) == 1
    assert h.states(ids) == {"published": 3}
    assert len(h.state()["youtube"]["videos"]) == 3


def test_the_cap_is_per_channel(bench: Callable[..., Harness]) -> None:
    h = bench(settings={"web-asean": {"max_concurrent": 3}})
    web = h.posts(6, ["web-asean"], due=h.clock.now)
    yt = h.posts(2, ["yt-hue-asean"], due=h.clock.now)
    h.faults("wordpress", latency_ms=150, paths=["/wp/v2/posts"])
    worker = h.worker(threads=8)
    assert worker.dispatch_once() == 4  # three pages of the website and one video
    h.settle(worker)
    peak = _max_in_flight(h, "web-asean", lambda: h.drain(worker))
    assert peak == 3
    assert h.states([*web, *yt]) == {"published": 8}


def test_pacing_spaces_the_starts_of_a_channel(bench: Callable[..., Harness]) -> None:
    h = bench(settings={"web-asean": {"min_interval_seconds": 10, "max_concurrent": 4}})
    ids = h.posts(3, ["web-asean"], due=h.clock.now)
    fb = h.post(["fb-asean-hue"], due=h.clock.now)
    worker = h.worker(clock=h.clock)
    t0 = h.clock.now
    assert h.step(worker) == 2  # one website post (paced) and the Facebook post
    assert h.channel("web-asean").cooldown_until == t0 + timedelta(seconds=10)
    assert h.delivery(fb).state == "published"
    assert h.channel("fb-asean-hue").cooldown_until is None  # not paced
    assert h.step(worker) == 0
    h.clock.advance(seconds=9)
    assert h.step(worker) == 0
    h.clock.advance(seconds=1)
    assert h.step(worker) == 1
    assert h.channel("web-asean").cooldown_until == h.clock.now + timedelta(seconds=10)
    h.clock.advance(seconds=10)
    assert h.step(worker) == 1
    assert h.states(ids) == {"published": 3}


def test_zalo_is_paced_by_its_rate_from_the_adapter(h: Harness) -> None:
    limits = worker_settings(h.app).limits
    assert limits["zalo-asean-hue"].min_interval_seconds == 2.0  # 30 requests a minute
    assert limits["fb-asean-hue"].min_interval_seconds == 0.0
    ids = h.posts(2, ["zalo-asean-hue"], due=h.clock.now)
    worker = h.worker(clock=h.clock)
    assert h.step(worker) == 1
    assert h.channel("zalo-asean-hue").cooldown_until == h.clock.now + timedelta(seconds=2)
    h.clock.advance(seconds=2)
    assert h.step(worker) == 1
    assert h.states(ids) == {"published": 2}
    assert len(h.state()["zalo"]["articles"]) == 2


def test_earliest_due_first(h: Harness) -> None:
    late = h.post(["web-asean"], due=h.clock.now - timedelta(minutes=1))
    early = h.post(["web-asean"], due=h.clock.now - timedelta(minutes=3))
    middle = h.post(["web-asean"], due=h.clock.now - timedelta(minutes=2))
    worker = h.worker(clock=h.clock, threads=1)
    order: list[int] = []
    for _ in range(3):
        assert h.step(worker) == 1
        [new] = {d.post_id for d in h.deliveries(state="published")} - set(order)
        order.append(new)
    assert order == [early, middle, late]


def test_nothing_is_claimed_before_it_is_due(h: Harness) -> None:
    post_id = h.post(["web-asean"], at=h.clock.now + timedelta(minutes=10))
    worker = h.worker(clock=h.clock)
    h.clock.advance(minutes=10, seconds=-1)
    assert h.step(worker) == 0
    h.clock.advance(seconds=1)
    assert h.step(worker) == 1
    assert h.delivery(post_id).state == "published"


def test_a_backlog_on_one_capped_channel_does_not_hold_up_the_others(h: Harness) -> None:
    h.posts(25, ["yt-hue-asean"], due=h.clock.now - timedelta(minutes=5))  # e.g. after an outage
    web = h.post(["web-asean"], due=h.clock.now)
    worker = h.worker(clock=h.clock, threads=2)
    assert worker.dispatch_once() == 2  # one video (its cap) and the website post; actual: 1
    h.settle(worker)
    assert h.delivery(web).state == "published"


# -- cost ---------------------------------------------------------------------------------------


def test_the_claim_fetches_its_rows_by_id_not_by_walking_the_queue(h: Harness) -> None:
    """The claim's UPDATE re-checks the state of the rows it chose; on SQLite that check must
    not become a walk of every scheduled row through the state index (the queue of a year)."""
    h.post(["web-asean"], due=h.clock.now)
    worker = h.worker(clock=h.clock)
    sent: list[tuple[str, object]] = []

    def capture(conn: object, cursor: object, statement: str, params: object, *_: object) -> None:
        if "chosen" in statement:
            sent.append((statement, params))

    event.listen(h.app.db.engine, "before_cursor_execute", capture)
    try:
        assert h.step(worker) == 1
    finally:
        event.remove(h.app.db.engine, "before_cursor_execute", capture)
    [(statement, params)] = sent
    assert statement.lstrip().startswith("WITH ranked") and "UPDATE delivery" in statement
    with h.app.db.engine.connect() as connection:
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params).all()  # type: ignore[arg-type]
    outer = [detail for _id, parent, _unused, detail in plan if parent == 0]
    assert outer[0] == "SEARCH delivery USING INTEGER PRIMARY KEY (rowid=?)", plan

"""Collecting figures: the worker's periodic job, against the sandbox through the real adapters.

Posts are published by a real worker, the sandbox ages them (`age_posts`) so their figures have
grown, and a collector whose clock runs two hours ahead finds their first reading due.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlmodel import col, select

from channels.base import Figures, Measurable, Receipt
from channels.sandbox.figures import grow
from channels.youtube.adapter import YouTube
from content import metrics
from content.models import DeliveryMetrics, MetricsCall
from content.quota import quota_day
from content.timeutil import as_utc, utcnow
from loa.adapters import build_adapter
from loa.worker_app import build_collector, build_worker
from scheduler.collect import RETRY_WAIT, Collector
from scheduler.collect_plan import NEEDS_AUTH, STOPPED, Summary
from tests.factories import published_deliveries
from tests.scheduler.harness import Harness

WEB, ZALO, FB = "web-asean", "zalo-asean-hue", "fb-asean-hue"
YT = "yt-hue-asean"
DAY = 86_400
AHEAD = timedelta(hours=2)  # the first reading is due an hour after publishing


def publish(h: Harness, channels: Sequence[str], count: int = 1) -> list[int]:
    """`count` posts published now on `channels` by a real worker: their post ids."""
    ids = [h.post(channels, due=h.clock.now) for _ in range(count)]
    worker = h.worker(clock=h.clock)
    for _ in range(count):  # Zalo's pace: one post every two seconds
        h.drain(worker)
        h.clock.advance(seconds=3)
    assert h.states(ids) == {"published": count * len(channels)}
    return ids


def age(h: Harness, seconds: float, platforms: Sequence[str] = ("wordpress", "zalo")) -> None:
    for platform in platforms:
        h.control(platform, "age_posts", seconds=seconds)


def collector(h: Harness, ahead: timedelta = AHEAD, **options: Any) -> Collector:
    made = build_collector(h.app, "collector-test", h.alerts.append, **options)
    made.clock = lambda: utcnow() + ahead
    return made


def rows(h: Harness) -> dict[int, DeliveryMetrics]:
    with h.app.db.read() as session:
        return {row.delivery_id: row for row in session.exec(select(DeliveryMetrics)).all()}


def calls(h: Harness, channel_id: str | None = None) -> list[MetricsCall]:
    query = select(MetricsCall).order_by(col(MetricsCall.id))
    if channel_id is not None:
        query = query.where(MetricsCall.channel_id == channel_id)
    with h.app.db.read() as session:
        return list(session.exec(query).all())


def latest(h: Harness, post_id: int, channel_id: str) -> metrics.Latest | None:
    delivery = h.delivery(post_id, channel_id)
    assert delivery.id is not None
    with h.app.db.read() as session:
        return metrics.latest(session, [delivery.id]).get(delivery.id)


def test_collection_records_the_figures_of_each_channel(h: Harness) -> None:
    posts = publish(h, [WEB, ZALO, FB, YT], count=3)
    age(h, DAY, ("wordpress", "zalo", "graph", "youtube"))

    summary = collector(h).run_once()

    for post_id in posts:
        web, zalo = latest(h, post_id, WEB), latest(h, post_id, ZALO)
        assert web is not None and zalo is not None
        assert isinstance(web.figures["comments"], int)
        assert web.figures["views"] and web.figures["views"] > 0  # WP-PostViews in the demo
        assert zalo.figures["views"] and zalo.figures["views"] > 0
        assert isinstance(zalo.figures["shares"], int)
        facebook, youtube = latest(h, post_id, FB), latest(h, post_id, YT)
        assert facebook is not None and youtube is not None
        assert isinstance(facebook.figures["reactions"], int)
        assert youtube.figures["views"] and youtube.figures["views"] > 0
    for row in rows(h).values():
        published = h.deliveries(id=row.delivery_id)[0].published_at
        assert row.readings == 1 and published is not None
        assert row.next_due_at == as_utc(published) + timedelta(days=1)
    # One call per channel for its three posts; YouTube's costs its quota unit.
    assert {c.channel_id: (c.outcome, c.posts, c.units) for c in calls(h)} == {
        WEB: ("ok", 3, 0),
        ZALO: ("ok", 3, 0),
        FB: ("ok", 3, 0),
        YT: ("ok", 3, 1),
    }
    assert all(summary.of(c).read == 3 for c in (WEB, ZALO, FB, YT))
    # Nothing is due any more: the next round calls no platform.
    assert collector(h).run_once().calls == 0 and len(calls(h)) == 4


def test_a_forced_collection_reads_a_post_before_its_reading_is_due(h: Harness) -> None:
    first, second = publish(h, [WEB], count=2)
    age(h, DAY)

    summary = collector(h, ahead=timedelta(0)).collect(post_ids=[first], force=True)

    assert summary.of(WEB).read == 1
    assert latest(h, first, WEB) is not None and latest(h, second, WEB) is None


def test_auth_required_holds_the_channel_alerts_once_and_the_others_are_read(
    bench: Callable[..., Harness], database_url: str
) -> None:
    h = bench(database=database_url)
    posts = publish(h, [WEB, ZALO], count=2)
    h.control("wordpress", "expire_tokens")

    summary = collector(h).run_once()
    again = collector(h).run_once()

    assert h.channel(WEB).state == "needs_auth"
    assert [a.kind for a in h.alerts if a.channel_id == WEB] == ["needs_auth"]
    assert summary.of(WEB).stopped == NEEDS_AUTH and summary.of(WEB).postponed == 2
    assert again.of(WEB).skipped == NEEDS_AUTH and again.of(WEB).waiting == 2
    assert all(latest(h, post_id, ZALO) is not None for post_id in posts)
    assert all(latest(h, post_id, WEB) is None for post_id in posts)
    assert [c.outcome for c in calls(h, WEB)] == ["auth"]


def test_a_rate_limit_cools_the_channel_down_and_its_readings_wait(h: Harness) -> None:
    posts = publish(h, [WEB, ZALO])
    h.control("wordpress", "rate_limit", seconds=600)
    reader = collector(h)

    summary = reader.run_once()

    cooldown = h.channel(WEB).cooldown_until
    assert cooldown is not None and as_utc(cooldown) > utcnow()
    assert summary.of(WEB).stopped == STOPPED["rate_limited"]
    (row,) = (r for r in rows(h).values() if r.channel_id == WEB)
    assert row.readings == 0 and row.next_due_at == cooldown
    assert latest(h, posts[0], ZALO) is not None
    # Cooling down: the next round does not call WordPress.
    skipped = reader.run_once().of(WEB).skipped
    assert skipped is not None and "cooling down" in skipped[1]
    assert [c.outcome for c in calls(h, WEB)] == ["rate_limited"]


def test_a_transient_fault_postpones_the_channels_readings_a_few_minutes(h: Harness) -> None:
    (post_id,) = publish(h, [WEB])
    h.faults("wordpress", fail_next=["500", "500", "500", "500"])
    reader = collector(h)
    before = reader.clock()

    summary = reader.run_once()

    (row,) = rows(h).values()
    assert row.readings == 0 and row.next_due_at is not None
    assert before + RETRY_WAIT <= row.next_due_at <= reader.clock() + RETRY_WAIT
    assert summary.of(WEB).stopped == STOPPED["retry"]
    assert h.channel(WEB).state == "active" and h.channel(WEB).cooldown_until is None
    assert latest(h, post_id, WEB) is None


def test_retired_and_paused_channels_are_not_read(h: Harness) -> None:
    publish(h, [WEB, ZALO])
    h.update_channel(WEB, state="retired")
    h.update_channel(ZALO, state="paused")

    summary = collector(h).run_once()

    assert calls(h) == []
    assert {r.readings for r in rows(h).values()} == {0}
    assert summary.of(WEB).skipped == ("kênh đã gỡ khỏi cấu hình", "the channel is retired")
    assert summary.of(ZALO).skipped == ("kênh đang tạm dừng", "the channel is paused")
    assert summary.of(WEB).waiting == 1 and summary.of(ZALO).waiting == 1


def test_a_post_gone_from_the_platform_is_marked_and_not_read_again(h: Harness) -> None:
    kept, removed = publish(h, [WEB], count=2)
    gone = h.delivery(removed, WEB)
    assert gone.remote_id is not None
    build_adapter(h.app, WEB).remove(Receipt(gone.remote_id, gone.remote_url))  # type: ignore[attr-defined]

    summary = collector(h).run_once()

    assert summary.of(WEB).gone == 1 and summary.of(WEB).read == 2
    after = latest(h, removed, WEB)
    assert after is not None and after.gone
    assert rows(h)[gone.id or 0].next_due_at is None
    assert latest(h, kept, WEB) is not None and not latest(h, kept, WEB).gone  # type: ignore[union-attr]
    with h.app.db.write() as session:
        later = metrics.claim_due(session, utcnow() + timedelta(days=400))
    assert gone.id not in {item.delivery_id for item in later}


class Watching:
    """The real adapter, asked to write to the database while its platform call is under way:
    that write can only succeed if the collector holds no write transaction meanwhile."""

    def __init__(self, h: Harness, channel_id: str) -> None:
        self.h, self.inner = h, build_adapter(h.app, channel_id)
        self.capabilities = type(self.inner).capabilities
        self.writes = 0

    def read_metrics(self, remote_ids: Sequence[str]) -> list[Figures]:
        with self.h.app.db.write() as session:  # as a publishing worker's dispatch would
            session.get(MetricsCall, 0)
            self.writes += 1
        assert isinstance(self.inner, Measurable)
        return self.inner.read_metrics(remote_ids)


def test_the_platform_is_called_outside_any_write_transaction(h: Harness) -> None:
    publish(h, [WEB], count=2)
    watching = Watching(h, WEB)
    reader = collector(h)
    reader.adapter_for = lambda channel_id: watching  # type: ignore[assignment,return-value]

    summary = reader.run_once()

    assert watching.writes == 1 and summary.of(WEB).read == 2


def test_the_worker_collects_on_its_own_schedule(bench: Callable[..., Harness]) -> None:
    h = bench(worker={"metrics_interval_seconds": 17})
    worker = build_worker(h.app)
    job, trigger = worker._periodic["collect_figures"]
    assert trigger == {"seconds": 17}
    h.workers.append(worker)
    assert isinstance(job(), Summary)


# -- quota ---------------------------------------------------------------------------------------


class QuotaTube:
    """A TEST DOUBLE with YouTube's capabilities (a daily quota, videos.list at 1 unit a call of
    up to 50 ids) that records every call, for the quota arithmetic at exact unit counts without
    uploads. The real adapter's path: test_the_real_youtube_adapter_keeps_a_planned_uploads_units.
    """

    capabilities = replace(
        YouTube.capabilities,
        metrics=frozenset({"views", "reactions", "comments"}),
        metrics_batch=50,
    )

    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def read_metrics(self, remote_ids: Sequence[str]) -> list[Figures]:
        self.asked.append(list(remote_ids))
        return [Figures(i, {"views": grow(i, "views", DAY)}) for i in remote_ids]


def quota_harness(h: Harness, quota: int) -> tuple[Collector, QuotaTube, list[int]]:
    """Two published videos due for reading, and one upload planned later today."""
    tube = QuotaTube()
    reader = collector(h, ahead=timedelta(0))
    reader.adapter_for = lambda channel_id: tube  # type: ignore[assignment,return-value]
    h.update_channel(YT, settings={**h.channel(YT).settings, "daily_quota_units": quota})
    ids = published_deliveries(h.app.db, 2, utcnow() - timedelta(hours=2), channel_id=YT)
    return reader, tube, ids


def test_figures_never_spend_the_units_a_planned_upload_of_the_day_needs(h: Harness) -> None:
    upload = YouTube.capabilities.quota_cost["videos.insert"]
    reader, tube, ids = quota_harness(h, quota=upload)  # the day's quota: exactly one upload
    planned = h.post([YT], at=utcnow() + timedelta(minutes=1))

    summary = reader.run_once()

    assert tube.asked == [] and calls(h, YT) == []
    assert summary.of(YT).stopped == STOPPED["kept"] and summary.of(YT).postponed == 2
    day_end = as_utc(quota_day(utcnow())[2])
    assert {rows(h)[i].next_due_at for i in ids} == {day_end}

    # The upload is cancelled: its units are free again, and one call of 1 unit reads both.
    h.app.posts.cancel(h.app.posts.actor("bientap"), planned)
    assert reader.collect(channel_ids=[YT], force=True).of(YT).read == 2
    assert tube.asked == [[f"{YT}-{post}" for post in posts_of(h, ids)]]
    assert [(c.outcome, c.units) for c in calls(h, YT)] == [("ok", 1)]


def test_figures_spend_what_the_days_uploads_leave(h: Harness) -> None:
    upload = YouTube.capabilities.quota_cost["videos.insert"]
    reader, tube, _ = quota_harness(h, quota=upload + 1)  # one unit to spare
    h.post([YT], at=utcnow() + timedelta(minutes=1))

    summary = reader.run_once()

    assert summary.of(YT).read == 2 and len(tube.asked) == 1
    assert [(c.outcome, c.units) for c in calls(h, YT)] == [("ok", 1)]
    # The spare unit is spent: a forced reading now waits for tomorrow's quota.
    again = reader.collect(channel_ids=[YT], force=True)
    assert again.of(YT).stopped == STOPPED["kept"] and len(tube.asked) == 1


def test_the_real_youtube_adapter_keeps_a_planned_uploads_units(h: Harness) -> None:
    """Through google-api-python-client against the sandbox: two videos uploaded today, a quota
    that holds exactly one more upload; figures wait while that upload is planned, then one
    videos.list call of 1 unit reads both."""
    from content.quota import units_used

    publish(h, [YT], count=2)
    costs = YouTube.capabilities.quota_cost
    with h.app.db.read() as session:
        used = units_used(session, YT, costs, 10_000, utcnow(), with_playlist=False).used
    quota = used + costs["videos.insert"]  # room for exactly one more upload today
    h.update_channel(YT, settings={**h.channel(YT).settings, "daily_quota_units": quota})
    planned = h.post([YT], at=utcnow() + timedelta(minutes=1))
    reader = collector(h, ahead=timedelta(0))
    before = len(h.state()["youtube"]["videos_list_calls"])

    kept = reader.collect(channel_ids=[YT], force=True)

    assert kept.of(YT).stopped == STOPPED["kept"] and kept.of(YT).read == 0
    assert len(h.state()["youtube"]["videos_list_calls"]) == before
    h.app.posts.cancel(h.app.posts.actor("bientap"), planned)
    read = reader.collect(channel_ids=[YT], force=True)
    assert read.of(YT).read == 2
    assert h.state()["youtube"]["videos_list_calls"][before:] == [2]  # ids asked by each call
    assert [(c.outcome, c.units) for c in calls(h, YT)] == [("ok", 1)]


def posts_of(h: Harness, delivery_ids: Sequence[int]) -> list[int]:
    return [h.deliveries(id=i)[0].post_id for i in delivery_ids]


class PacedTube(QuotaTube):
    """One post a call, one call a second, no quota."""

    capabilities = replace(
        QuotaTube.capabilities, metrics_batch=1, requests_per_minute=60, daily_quota_units=None
    )


def test_a_round_ends_within_its_time_and_gives_back_what_it_could_not_read(h: Harness) -> None:
    tube = PacedTube()
    reader = collector(h, ahead=timedelta(0))
    reader.adapter_for = lambda channel_id: tube  # type: ignore[assignment,return-value]
    reader.round_seconds = 0.5  # the second call may only come a second after the first
    ids = published_deliveries(h.app.db, 2, utcnow() - timedelta(hours=2), channel_id=YT)

    summary = reader.run_once()

    assert summary.of(YT).read == 1 and len(tube.asked) == 1
    left = [rows(h)[i] for i in ids if rows(h)[i].readings == 0]
    assert len(left) == 1 and left[0].next_due_at is not None
    assert left[0].next_due_at <= utcnow()  # due again at once, for the next round

"""`native_schedule: true`: the post is handed to the platform at approval and the platform
publishes it at its time; rescheduling, editing and cancelling follow it there; reconciling
knows a post the platform holds. Against the sandbox over HTTP, with a worker on a hand-moved
clock and the corrector the worker runs beside it (loa.worker_app.build_corrector)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from content.models import AuditEvent
from content.timeutil import utcnow
from loa.cli import main
from loa.worker_app import build_corrector
from scheduler.corrections import Corrector
from scheduler.worker import Worker
from tests.scheduler.harness import Harness

WEB = "web-asean"
NATIVE = {WEB: {"native_schedule": True, "timeout_seconds": 1}}


@pytest.fixture
def native(bench: Callable[..., Harness]) -> Harness:
    return bench(settings=NATIVE)


def wp_post(h: Harness, remote_id: str | None) -> dict:  # type: ignore[type-arg]
    [post] = [p for p in h.state()["wordpress"]["posts"] if str(p["id"]) == remote_id]
    return post  # type: ignore[no-any-return]


def gmt(when: datetime) -> str:
    return f"{when:%Y-%m-%dT%H:%M:%S}"


def handed_over(h: Harness, hours: float = 3) -> tuple[int, datetime, Worker, Corrector]:
    when = h.clock.now + timedelta(hours=hours)
    post_id = h.post([WEB], at=when)
    worker = h.worker(clock=h.clock)
    assert h.step(worker) == 1
    return post_id, when, worker, build_corrector(h.app, worker)


def test_approval_hands_the_post_to_wordpress_as_future(native: Harness) -> None:
    h = native
    when = h.clock.now + timedelta(hours=3)
    post_id = h.post([WEB], at=when)
    row = h.delivery(post_id)
    assert (row.state, row.due_at) == ("scheduled", h.clock.now)  # due at approval, not at 3h

    assert h.step(h.worker(clock=h.clock)) == 1

    row = h.delivery(post_id)
    assert (row.state, row.due_at, row.published_at) == ("handed_over", when, when)
    post = wp_post(h, row.remote_id)
    assert (post["status"], post["date_gmt"]) == ("future", gmt(when))
    assert row.remote_url == post["link"]


def test_a_hand_over_waiting_for_a_worker_is_not_missed_before_its_time(native: Harness) -> None:
    h = native
    post_id = h.post([WEB], at=h.clock.now + timedelta(hours=3))
    h.clock.advance(hours=2)  # no worker ran since the approval: beyond the grace of that moment
    assert h.step(h.worker(clock=h.clock)) == 1
    assert h.delivery(post_id).state == "handed_over"


def test_rescheduling_moves_the_date_on_wordpress(native: Harness) -> None:
    h = native
    post_id, when, _, corrector = handed_over(h)
    later = when + timedelta(days=1)

    editor = h.app.posts.actor("bientap")
    assert h.app.posts.reschedule(editor, post_id, later).state == "approved"
    assert corrector.run_once() == {"published": 0, "done": 1}

    row = h.delivery(post_id)
    assert (row.state, row.due_at) == ("handed_over", later)
    post = wp_post(h, row.remote_id)
    assert (post["status"], post["date_gmt"]) == ("future", gmt(later))
    assert [a.outcome for a in h.attempts(row.id or 0)] == ["published", "updated"]


def test_editing_the_text_updates_the_held_post(native: Harness) -> None:
    h = native
    post_id, when, _, corrector = handed_over(h)
    editor = h.app.posts.actor("bientap")
    h.app.posts.edit(editor, post_id, {"title": "Tiêu đề đã sửa trước giờ đăng"})
    corrector.run_once()

    post = wp_post(h, h.delivery(post_id).remote_id)
    assert post["title"] == "Tiêu đề đã sửa trước giờ đăng"
    assert (post["status"], post["date_gmt"]) == ("future", gmt(when))


def test_cancelling_moves_the_held_post_to_the_trash(native: Harness) -> None:
    h = native
    post_id, _, _, corrector = handed_over(h)
    row = h.delivery(post_id)

    h.app.posts.cancel(h.app.posts.actor("bientap"), post_id, "Trùng lịch")
    assert h.delivery(post_id).state == "handed_over"  # until WordPress has let it go
    assert corrector.run_once() == {"published": 0, "done": 1}

    assert h.delivery(post_id).state == "cancelled"
    assert wp_post(h, row.remote_id)["status"] == "trash"
    with h.app.db.read() as session:
        actions = session.exec(select(AuditEvent.action).where(AuditEvent.post_id == post_id)).all()
    assert "delivery.removed" in actions


def test_once_its_time_has_passed_it_counts_as_published(native: Harness) -> None:
    h = native
    post_id, when, _, corrector = handed_over(h)
    assert corrector.run_once()["published"] == 0
    h.clock.advance(hours=3, seconds=1)

    assert corrector.run_once()["published"] == 1

    row = h.delivery(post_id)
    assert (row.state, row.published_at) == ("published", when)
    entries = h.app.posts.detail(post_id).events
    assert entries[-1].action == "delivery.published"


def test_a_lost_answer_on_the_hand_over_is_reconciled_as_handed_over(native: Harness) -> None:
    h = native
    when = h.clock.now + timedelta(hours=3)
    post_id = h.post([WEB], at=when)
    worker = h.worker(clock=h.clock)
    h.faults("wordpress", hang_next=1, paths=["/wp/v2/posts"])
    h.step(worker)
    assert h.delivery(post_id).state == "reconciling"
    time.sleep(0.1)
    h.clock.advance(seconds=30)

    assert worker.reconciler.run_once()["found"] == 1

    row = h.delivery(post_id)
    assert (row.state, row.due_at) == ("handed_over", when)
    assert wp_post(h, row.remote_id)["status"] == "future"
    assert len(h.state()["wordpress"]["posts"]) == 1


# -- `loa publish --now` on a channel that schedules natively ------------------------------------

YT = "yt-hue-asean"


def test_publish_now_publishes_now_rather_than_handing_over(
    bench: Callable[..., Harness], capsys: pytest.CaptureFixture[str]
) -> None:
    h = bench(settings={**NATIVE, YT: {"native_schedule": True}})
    when = utcnow() + timedelta(days=2)
    post_id = h.post([WEB, YT], at=when)
    assert h.delivery(post_id, WEB).state == "scheduled"  # no worker handed it over yet

    code = main(["--config", str(h.config_path), "publish", str(post_id), "--now"])
    assert code == 0, capsys.readouterr()
    web, video = h.delivery(post_id, WEB), h.delivery(post_id, YT)
    assert (web.state, video.state) == ("published", "published")
    assert web.published_at is not None and web.published_at < when - timedelta(days=1)
    post = wp_post(h, web.remote_id)
    assert post["status"] == "publish"  # not "future" at the planned time
    [held] = [v for v in h.state()["youtube"]["videos"] if v["id"] == video.remote_id]
    assert held["publishAt"] is None and held["privacyStatus"] == "public"

"""`native_schedule: true`: the post is handed to the platform at approval and the platform
publishes it at its time; rescheduling, editing and cancelling follow it there; reconciling
knows a post the platform holds. Against the sandbox over HTTP, with a worker on a hand-moved
clock and the corrector the worker runs beside it (loa.worker_app.build_corrector)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from hashlib import sha256
from pathlib import Path

import pytest
from sqlmodel import select

from content.inputs import MediaRef
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


# -- YouTube through the worker: the upload is done ahead, held private until publishAt ----------

CHUNK = 256 * 1024  # the resumable upload's unit (youtube_upload.CHUNK_UNIT)


@pytest.fixture
def native_yt(bench: Callable[..., Harness]) -> Harness:
    return bench(settings={YT: {"native_schedule": True}})


def yt_video(h: Harness, remote_id: str | None) -> dict:  # type: ignore[type-arg]
    [video] = [v for v in h.state()["youtube"]["videos"] if v["id"] == remote_id]
    return video  # type: ignore[no-any-return]


def rfc3339(when: datetime) -> str:
    return f"{when:%Y-%m-%dT%H:%M:%SZ}"


def yt_handed_over(h: Harness, hours: float = 3) -> tuple[int, datetime, Corrector]:
    when = h.clock.now + timedelta(hours=hours)
    post_id = h.post([YT], at=when)
    worker = h.worker(clock=h.clock)
    assert h.step(worker) == 1
    return post_id, when, build_corrector(h.app, worker)


def test_approval_uploads_the_video_ahead_held_private_until_its_time(native_yt: Harness) -> None:
    h = native_yt
    when = h.clock.now + timedelta(hours=3)
    post_id = h.post([YT], at=when)
    row = h.delivery(post_id)
    assert (row.state, row.due_at) == ("scheduled", h.clock.now)  # due at approval, not at 3h

    assert h.step(h.worker(clock=h.clock)) == 1

    row = h.delivery(post_id)
    assert (row.state, row.due_at, row.published_at) == ("handed_over", when, when)
    video = yt_video(h, row.remote_id)
    assert (video["privacyStatus"], video["publishAt"]) == ("private", rfc3339(when))
    assert video["visible_as"] == "private" and video["title"] == h.title_of(post_id)
    assert h.video is not None and video["sha256"] == sha256(h.video.read_bytes()).hexdigest()
    assert row.remote_url is not None and row.remote_id in row.remote_url


def test_rescheduling_moves_publish_at_on_youtube(native_yt: Harness) -> None:
    h = native_yt
    post_id, when, corrector = yt_handed_over(h)
    later = when + timedelta(days=1)

    editor = h.app.posts.actor("bientap")
    assert h.app.posts.reschedule(editor, post_id, later).state == "approved"
    assert corrector.run_once() == {"published": 0, "done": 1}

    row = h.delivery(post_id)
    assert (row.state, row.due_at, row.published_at) == ("handed_over", later, later)
    video = yt_video(h, row.remote_id)
    assert (video["privacyStatus"], video["publishAt"]) == ("private", rfc3339(later))
    assert video["updates"] == 1
    assert [a.outcome for a in h.attempts(row.id or 0)] == ["published", "updated"]


def test_editing_the_title_updates_the_held_video(native_yt: Harness) -> None:
    h = native_yt
    post_id, when, corrector = yt_handed_over(h)
    editor = h.app.posts.actor("bientap")
    h.app.posts.edit(editor, post_id, {"title": "Video đã sửa tiêu đề trước giờ đăng"})
    assert corrector.run_once() == {"published": 0, "done": 1}

    row = h.delivery(post_id)
    assert (row.state, row.due_at) == ("handed_over", when)
    video = yt_video(h, row.remote_id)
    assert video["title"] == "Video đã sửa tiêu đề trước giờ đăng"
    assert (video["privacyStatus"], video["publishAt"]) == ("private", rfc3339(when))


def test_cancelling_deletes_the_held_video(native_yt: Harness) -> None:
    h = native_yt
    post_id, _, corrector = yt_handed_over(h)
    row = h.delivery(post_id)

    h.app.posts.cancel(h.app.posts.actor("bientap"), post_id, "Trùng lịch")
    assert h.delivery(post_id).state == "handed_over"  # until YouTube has let it go
    assert corrector.run_once() == {"published": 0, "done": 1}

    assert h.delivery(post_id).state == "cancelled"
    assert [v for v in h.state()["youtube"]["videos"] if v["id"] == row.remote_id] == []
    with h.app.db.read() as session:
        actions = session.exec(select(AuditEvent.action).where(AuditEvent.post_id == post_id)).all()
    assert "delivery.removed" in actions


def test_a_held_video_counts_as_published_once_its_time_has_passed(native_yt: Harness) -> None:
    h = native_yt
    post_id, when, corrector = yt_handed_over(h)
    assert corrector.run_once()["published"] == 0
    assert h.delivery(post_id).state == "handed_over"
    h.clock.advance(hours=3, seconds=1)

    assert corrector.run_once()["published"] == 1

    row = h.delivery(post_id)
    assert (row.state, row.published_at) == ("published", when)
    assert h.app.posts.detail(post_id).events[-1].action == "delivery.published"


def big_clip(path: Path) -> Path:
    """A lossless noise clip of a few hundred KB: an upload of several 256 KiB chunks."""
    import av
    from PIL import Image

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        stream.options = {"crf": "0", "preset": "ultrafast"}
        for number in range(6):
            noise = Image.effect_noise((320, 240), 60 + number).convert("RGB")
            for packet in stream.encode(av.VideoFrame.from_image(noise)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def test_a_lost_answer_on_the_upload_ahead_is_reconciled_as_handed_over(
    bench: Callable[..., Harness], tmp_path: Path
) -> None:
    # No resume allowed: the final chunk's lost answer is left to the worker's reconciling.
    settings = {"native_schedule": True, "timeout_seconds": 1, "upload_resumes": 0}
    h = bench(settings={YT: {**settings, "chunk_size_bytes": CHUNK}})
    clip = big_clip(tmp_path / "big.mp4")
    assert clip.stat().st_size > 2 * CHUNK
    with h.app.db.write() as session:
        sha = h.app.media.add(session, clip, name="big.mp4").sha256
    when = h.clock.now + timedelta(hours=3)
    post_id = h.post([YT], at=when, media=[MediaRef(sha)])
    worker = h.worker(clock=h.clock)
    armed: list[bool] = []

    def lose_the_final_answer(done: int, total: int) -> None:
        if 0 < total - done <= CHUNK and not armed:
            armed.append(True)
            h.faults("youtube", hang_next=1, paths=["/upload/youtube/v3/videos"])

    worker.progress_for = lambda _delivery_id: lose_the_final_answer
    h.step(worker)
    assert armed and h.delivery(post_id).state == "reconciling"
    [held] = h.state()["youtube"]["videos"]  # it landed: only its answer was lost
    time.sleep(0.1)
    h.clock.advance(seconds=30)

    assert worker.reconciler.run_once()["found"] == 1

    row = h.delivery(post_id)
    assert (row.state, row.due_at, row.remote_id) == ("handed_over", when, held["id"])
    video = yt_video(h, row.remote_id)
    assert (video["privacyStatus"], video["publishAt"]) == ("private", rfc3339(when))
    assert len(h.state()["youtube"]["videos"]) == 1

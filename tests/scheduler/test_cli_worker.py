"""`loa pause --reason`, `loa resume`, `loa worker status` and `loa publish ID --now`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from content.models import ChannelState
from content.timeutil import utcnow
from loa.cli import main
from tests.scheduler.harness import FB_PAGES, Harness

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def h(bench: Callable[..., Harness], monkeypatch: pytest.MonkeyPatch) -> Harness:
    monkeypatch.delenv("LOA_USER", raising=False)
    monkeypatch.delenv("LOA_LANG", raising=False)
    return bench()


@pytest.fixture
def loa(h: Harness, capsys: pytest.CaptureFixture[str]) -> Run:
    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["--config", str(h.config_path), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_pause_status_resume(h: Harness, loa: Run) -> None:
    ids = h.posts(3, ["web-asean"], due=utcnow())
    worker = h.worker(worker_id="may-chu-1")
    worker.heartbeat()

    code, out, err = loa("--as", "bientap", "pause", "--reason", "Quốc tang")
    assert (code, err) == (0, "")
    assert out.strip() == "Đã tạm dừng đăng bài: Quốc tang"
    assert worker.dispatch_once() == 0

    code, out, _ = loa("worker", "status")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "ĐANG TẠM DỪNG ĐĂNG BÀI: Quốc tang (bientap)"
    assert "Tiến trình đang chạy: 1" in lines
    assert any(line.split()[:2] == ["may-chu-1", "sống"] for line in lines)
    queue = lines[lines.index("Hàng đợi:") + 1 :]
    assert [line.split() for line in queue] == [["chờ", "đăng", "3"]]

    code, out, _ = loa("--lang", "en", "worker", "status")
    assert out.splitlines()[0] == "PUBLISHING IS PAUSED: Quốc tang (bientap)"
    assert "Queue:" in out and "scheduled" in out

    code, out, err = loa("resume")
    assert (code, err) == (0, "")
    assert out.strip() == "Đã tiếp tục đăng bài."
    assert h.drain(worker) == 3
    worker.heartbeat()
    code, out, _ = loa("worker", "status")
    lines = out.splitlines()
    assert lines[0] == "Đăng bài: đang hoạt động"
    queue = lines[lines.index("Hàng đợi:") + 1 :]
    assert [line.split() for line in queue] == [["đã", "đăng", "3"]]
    assert " đã đăng 3 " in out
    code, out, _ = loa("--lang", "en", "worker", "status")
    assert " published 3 " in out
    assert h.states(ids) == {"published": 3}


def test_pause_needs_a_reason(loa: Run) -> None:
    code, out, err = loa("pause")
    assert code == 2
    assert "--reason" in err
    code, out, _ = loa("worker", "status")
    assert out.splitlines()[0] == "Đăng bài: đang hoạt động"


def test_status_shows_cooldowns_channel_states_and_gone_workers(h: Harness, loa: Run) -> None:
    h.post(["fb-asean-hue"], due=utcnow())
    h.update_channel("fb-asean-hue", cooldown_until=utcnow() + timedelta(minutes=5))
    h.update_channel("web-asean", state=ChannelState.needs_auth)
    old = h.worker(worker_id="da-dung", clock=lambda: utcnow() - timedelta(minutes=5))
    old.heartbeat()
    code, out, _ = loa("worker", "status")
    assert code == 0
    assert "Tiến trình đang chạy: 0" in out
    assert any(
        line.split()[:5] == ["da-dung", "dừng", "điều", "phối", "lúc"] for line in out.splitlines()
    )
    # Channels as people name them; the id only in the command to run.
    assert "  Facebook · Thông tin đối ngoại Thừa Thiên Huế: chờ đến " in out
    web = "Trang thông tin ASEAN tỉnh Thừa Thiên Huế"
    assert f"  Trang web · {web}: cần kết nối lại (loa channels connect web-asean)" in out
    code, out, _ = loa("--lang", "en", "worker", "status")
    assert f"  Website · {web}: needs reconnecting (loa channels connect web-asean)" in out
    assert any(line.split()[:3] == ["da-dung", "gone", "dispatch"] for line in out.splitlines())


def test_publish_now_publishes_in_the_foreground_and_prints_links(h: Harness, loa: Run) -> None:
    post_id = h.post(["web-asean", "fb-asean-hue"], at=utcnow() + timedelta(days=1))
    code, out, err = loa("publish", str(post_id), "--now")
    assert code == 0, out + err
    assert "Đang đăng lên web-asean…" in out and "Đang đăng lên fb-asean-hue…" in out
    for channel_id in ("web-asean", "fb-asean-hue"):
        row = h.delivery(post_id, channel_id)
        assert row.state == "published" and row.remote_url
        [line] = [line for line in out.splitlines() if line.split()[:1] == [channel_id]]
        assert "đã đăng" in line and line.endswith(row.remote_url)
    title = h.title_of(post_id)
    assert h.on_platform(title, "web-asean") == h.on_platform(title, "fb-asean-hue") == 1

    code, out, _ = loa("publish", str(post_id), "--now")  # nothing left: never a second copy
    assert code == 0 and out.strip() == "Không còn kênh nào cần đăng."
    assert h.on_platform(title, "web-asean") == 1


def test_publish_now_reports_a_refusal_and_exits_1(h: Harness, loa: Run) -> None:
    post_id = h.post(["fb-asean-hue"], at=utcnow() + timedelta(hours=3))
    h.faults("graph", fail_next=["100"], paths=[f"/{FB_PAGES['fb-asean-hue']}/feed"])
    code, out, _ = loa("--lang", "en", "publish", str(post_id), "--now")
    assert code == 1
    [line] = [line for line in out.splitlines() if line.startswith("  fb-asean-hue")]
    assert "failed" in line and "Facebook refused a value in the post" in line
    assert [a.kind for a in h.alerts] == ["failed"]


def test_publish_now_refuses_what_is_not_approved_or_not_there(h: Harness, loa: Run) -> None:
    from tests.factories import post_input

    officer = h.app.posts.actor("cbtt.stttt")
    draft = h.app.posts.create(
        officer, post_input(scheduled_at=utcnow() + timedelta(days=1), channels=["web-asean"])
    )
    code, _, err = loa("publish", str(draft.id), "--now")
    assert code == 1 and f"Bài #{draft.id} chưa được duyệt" in err
    code, _, err = loa("publish", "999", "--now")
    assert code == 1 and "Không có bài #999" in err
    code, _, err = loa("publish", str(draft.id))
    assert code == 2 and "--now" in err
    assert h.state()["wordpress"]["posts"] == []


def test_publish_now_respects_an_emergency_pause(h: Harness, loa: Run) -> None:
    post_id = h.post(["web-asean"], at=utcnow() + timedelta(days=1))
    assert loa("pause", "--reason", "Quốc tang")[0] == 0
    code, _, _ = loa("publish", str(post_id), "--now")
    assert h.delivery(post_id).state == "scheduled"  # actual: published
    assert h.state()["wordpress"]["posts"] == []
    assert code == 1

"""`loa stats collect`: reading figures now, in the foreground, through `loa.cli.main`.

The workspace is the demo configuration on the sandbox with every channel connected (the
worker's test bench); posts are published by a real worker first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from channels.sandbox.server import SandboxServer
from content import metrics
from content.models import DeliveryMetrics
from content.timeutil import utcnow
from loa.cli import main
from tests.scheduler.harness import Harness, harness_factory, tiny_mp4

WEB, ZALO = "web-asean", "zalo-asean-hue"
# The channels as the summary names them: the platform and the name, never the config id.
WEB_NAME = "Trang web · Trang thông tin ASEAN tỉnh Thừa Thiên Huế"
ZALO_NAME = "Zalo OA Thông tin đối ngoại Thừa Thiên Huế"


@pytest.fixture
def h(tmp_path: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Harness]:
    with harness_factory(tmp_path, sandbox, monkeypatch, tiny_mp4(tmp_path / "clip.mp4")) as make:
        harness = make()
        monkeypatch.setenv("COLUMNS", "100")
        yield harness


@pytest.fixture
def stats(h: Harness, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["--config", str(h.config_path), *args])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    return run


def publish(h: Harness, channels: list[str]) -> int:
    post_id = h.post(channels, due=h.clock.now)
    h.drain(h.worker(clock=h.clock))
    assert h.states([post_id]) == {"published": len(channels)}
    return post_id


def make_due(h: Harness) -> None:
    """Every published delivery's first reading falls due now (as it would an hour later)."""
    with h.app.db.write() as session:
        metrics.schedule_new(session)
        session.execute(update(DeliveryMetrics).values(next_due_at=utcnow() - timedelta(minutes=1)))


def lines(out: str) -> list[str]:
    """The output's lines with the columns' padding folded."""
    return [" ".join(line.split()) for line in out.splitlines()]


def read_ids(h: Harness, post_id: int) -> dict[str, bool]:
    with h.app.db.read() as session:
        found = metrics.latest(
            session, [d.id for d in h.deliveries(post_id=post_id) if d.id is not None]
        )
    return {d.channel_id: d.id in found for d in h.deliveries(post_id=post_id)}


def test_collect_reads_what_is_due_with_progress_and_a_vietnamese_summary(
    h: Harness, stats: Callable[..., tuple[int, str, str]]
) -> None:
    post_id = publish(h, [WEB, ZALO])
    h.control("zalo", "omit_figures")
    make_due(h)

    code, out, err = stats("stats", "collect")

    assert code == 0, out
    assert "2/2 bài" in err and "[" + "#" * 30 + "]" in err
    lines = out.splitlines()
    assert lines[0] == "Đã đọc số liệu của 2 bài trên 2 kênh (2 lần gọi)."
    assert any(" ".join(line.split()) == f"{WEB_NAME} 1 bài" for line in lines)
    assert any(" ".join(line.split()) == f"{ZALO_NAME} 1 bài" for line in lines)
    assert WEB not in out and ZALO not in out
    # Zalo left both figures out: each is named, with the platform's reason, never as 0.
    assert "Thiếu số liệu:" in lines
    missing = [line for line in lines if line.strip().startswith(ZALO_NAME) and "—" in line]
    assert len(missing) == 2 and all("1 bài — " in line for line in missing)
    assert read_ids(h, post_id) == {WEB: True, ZALO: True}

    code, out, _ = stats("stats", "collect")
    assert (code, out.strip()) == (0, "Không có bài nào cần đọc số liệu lúc này.")


def test_collect_for_one_post_reads_it_before_it_is_due_in_english(
    h: Harness, stats: Callable[..., tuple[int, str, str]]
) -> None:
    first, second = publish(h, [WEB]), publish(h, [WEB])

    code, out, _ = stats("--lang", "en", "stats", "collect", "--post", str(first))

    assert code == 0
    assert out.splitlines()[0] == "Read the figures of 1 post on 1 channel (1 call)."
    assert read_ids(h, first) == {WEB: True} and read_ids(h, second) == {WEB: False}


def test_collect_says_why_a_channel_was_not_read(
    h: Harness, stats: Callable[..., tuple[int, str, str]]
) -> None:
    post_id = publish(h, [WEB, ZALO])
    h.control("wordpress", "expire_tokens")

    code, out, _ = stats("stats", "collect", "--channel", WEB, "--channel", ZALO)

    assert code == 0
    assert f"{WEB_NAME} 0 bài, dừng: kênh cần kết nối lại; 1 bài đọc lại sau" in lines(out)
    assert h.channel(WEB).state == "needs_auth"
    assert read_ids(h, post_id) == {WEB: False, ZALO: True}

    code, out, _ = stats("stats", "collect", "--channel", WEB)
    assert f"{WEB_NAME} bỏ qua: kênh cần kết nối lại (1 bài chờ)" in lines(out)
    assert read_ids(h, post_id)[WEB] is False
    with h.app.db.read() as session:
        held = session.get(DeliveryMetrics, h.delivery(post_id, WEB).id)
    assert held is not None and held.readings == 0 and not held.gone

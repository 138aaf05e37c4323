"""`loa stats show`: a period's totals as a table, names instead of codes, "—" for no figure."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from channels.sandbox.server import SandboxServer
from loa.cli import main
from tests.scheduler.harness import Harness, harness_factory, tiny_mp4

WEB, ZALO = "web-asean", "zalo-asean-hue"


@pytest.fixture
def h(tmp_path: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Harness]:
    with harness_factory(tmp_path, sandbox, monkeypatch, tiny_mp4(tmp_path / "clip.mp4")) as make:
        yield make()


def run(h: Harness, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(["--config", str(h.config_path), *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, [" ".join(line.split()) for line in (out + err).splitlines()]


def published_and_read(h: Harness, capsys: pytest.CaptureFixture[str]) -> None:
    post_id = h.post([WEB, ZALO], due=h.clock.now)
    h.drain(h.worker(clock=h.clock))
    assert h.states([post_id]) == {"published": 2}
    h.control("zalo", "omit_figures")
    h.control("wordpress", "age_posts", seconds=3 * 86400)
    assert run(h, capsys, "stats", "collect", "--post", str(post_id))[0] == 0


def test_totals_by_platform_with_names_and_a_dash_for_no_figure(
    h: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    published_and_read(h, capsys)
    code, lines = run(h, capsys, "stats", "show", "--by", "platform")
    assert code == 0
    assert lines[0].startswith("Kỳ: 01/11/")
    assert lines[1].startswith("Số liệu đọc lần cuối lúc")
    header = lines[3]
    assert header.startswith("Nền tảng Bài Lượt đăng Có số liệu")
    assert "Lượt xem" in header and "Bình luận" in header
    website = next(line for line in lines if line.startswith("Trang web "))
    zalo = next(line for line in lines if line.startswith("Zalo OA "))
    assert website.split()[2:5] == ["1", "1", "1/1"]
    # Zalo reported nothing: its row has no figures, shown as dashes, never as 0.
    assert zalo.split()[2:] == ["1", "1", "0/1"] + ["—"] * (len(zalo.split()) - 5)
    total = next(line for line in lines if line.startswith("Tổng "))
    assert total.split()[1:4] == ["1", "2", "1/2"]
    assert lines[-1].startswith("— : không có số liệu")


def test_in_english_by_department_and_bad_options(
    h: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    published_and_read(h, capsys)
    code, lines = run(h, capsys, "--lang", "en", "stats", "show", "--by", "department")
    assert code == 0 and lines[0].startswith("Period: 01/11/")
    assert any(line.startswith("Department of Information and Communications ") for line in lines)
    code, lines = run(h, capsys, "stats", "show", "--by", "week")
    assert code == 2 and any("channel, platform, topic" in line for line in lines)
    code, lines = run(h, capsys, "stats", "show", "--from", "2026-13-01")
    assert code == 2 and any("YYYY-MM-DD" in line for line in lines)
    code, lines = run(h, capsys, "stats", "show", "--from", "2026-12-01", "--to", "2026-11-01")
    assert code == 2

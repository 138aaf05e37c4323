"""`loa report`: the yearly report written from the command line, in each format."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from channels.sandbox.server import SandboxServer
from loa.cli import main
from tests.scheduler.harness import Harness, harness_factory, tiny_mp4

WEB = "web-asean"


@pytest.fixture
def h(tmp_path: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Harness]:
    with harness_factory(tmp_path, sandbox, monkeypatch, tiny_mp4(tmp_path / "clip.mp4")) as make:
        harness = make()
        post_id = harness.post([WEB], due=harness.clock.now)
        harness.drain(harness.worker(clock=harness.clock))
        assert harness.states([post_id]) == {"published": 1}
        yield harness


def run(h: Harness, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["--config", str(h.config_path), *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out + err


def test_the_provinces_report_in_each_format(
    h: Harness, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for kind in ("docx", "xlsx", "csv"):
        path = tmp_path / f"bao-cao.{kind}"
        code, out = run(h, capsys, "report", "-o", str(path))
        assert code == 0, out
        assert out.splitlines()[0] == f"Đã viết báo cáo: {path}"
        assert "1 bài, 1 lượt đăng" in out
    text = "\n".join(p.text for p in Document(str(tmp_path / "bao-cao.docx")).paragraphs)
    assert "BÁO CÁO" in text and "Kết quả thực hiện công tác tuyên truyền" in text
    workbook = load_workbook(tmp_path / "bao-cao.xlsx")
    assert workbook.sheetnames[0] == "Tổng hợp"
    with (tmp_path / "bao-cao.csv").open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert len(rows) == 2 and rows[0][0] == "Ngày đăng / Published"


def test_a_departments_report_of_a_chosen_period_in_english(
    h: Harness, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "sdl.csv"
    code, out = run(
        h,
        capsys,
        "--lang",
        "en",
        "report",
        "--department",
        "SDL",
        "--from",
        "2020-01-01",
        "--to",
        "2020-12-31",
        "-o",
        str(path),
    )
    assert code == 0, out
    assert "Period: 01/01/2020 – 31/12/2020" in out
    assert "Nothing was published in this period." in out
    with path.open(encoding="utf-8-sig", newline="") as file:
        assert len(list(csv.reader(file))) == 1


def test_a_one_day_report_judges_no_monthly_target(
    h: Harness, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Prorated to one day, "8 posts a month" is 0 posts: it was counted met with nothing done.
    day = f"{h.clock.now.astimezone(h.app.config.zone):%Y-%m-%d}"
    path = tmp_path / "ngay.docx"
    code, out = run(h, capsys, "report", "--from", day, "--to", day, "-o", str(path))
    assert code == 0, out
    counts = re.search(r"đạt (\d+)/(\d+) chỉ tiêu, (\d+) chưa đến kỳ đánh giá", out)
    assert counts is not None, out
    met, total, not_due = (int(n) for n in counts.groups())
    assert met + not_due == total and 0 < met < total  # the day's post met its topic's target
    code, out = run(
        h, capsys, "--lang", "en", "report", "--from", day, "--to", day, "-o", str(path)
    )
    assert f"{met}/{total} targets met, {not_due} not due yet" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["-o", "x.pdf"], "docx, xlsx hoặc csv"),
        (["-o", "x.docx", "--department", "XYZ"], "không có đơn vị 'XYZ'"),
        (["-o", "x.docx", "--from", "2026-02-30"], "YYYY-MM-DD"),
        (["-o", "x.docx", "--from", "2026-06-01", "--to", "2026-05-01"], "kỳ báo cáo trống"),
        (["-o", "x.docx", "--year", "1999"], "năm phải từ 2000 đến 2099"),
    ],
)
def test_bad_options_are_named_and_nothing_is_written(
    h: Harness, capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], words: str
) -> None:
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    code, out = run(h, capsys, "report", *args)
    assert code == 2 and words in out
    assert not any(tmp_path.glob("x.*"))

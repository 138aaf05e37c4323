"""The command line with times at their limits: a time out of range is one clear line and saves
nothing; a time an older version stored (9999-12-31 23:59 UTC, year 10000 in Hue) still lists,
shows and exports."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.loa.test_cli import (  # the workspace fixtures of the CLI tests
    Run,
    call,
    cfg,
    clean_environment,
    future_day,
    loa,
    one_error_line,
)

__all__ = ["call", "cfg", "clean_environment", "loa"]  # fixtures, used by name

ADD = ("--as", "cbtt.stttt", "post", "add", "--title", "Bài xa", "--topic", "a")


def test_a_time_out_of_range_is_one_line_and_saves_nothing(loa: Run) -> None:
    for typed in ("9999-12-31 23:59", "1999-12-31 23:59", "2100-01-01 07:00"):
        added = loa(*ADD, "--channel", "web-asean", "--at", typed)
        line = one_error_line(added)
        assert line.startswith(f"Lỗi: Giờ đăng (--at): Thời điểm {typed} nằm ngoài khoảng"), line
        assert "2000" in line and "2099" in line
    before_year_one = loa(*ADD, "--channel", "web-asean", "--at", "0001-01-01T00:00:00+05:00")
    assert one_error_line(before_year_one).startswith("Lỗi: Giờ đăng không đọc được")
    english = loa("--lang", "en", *ADD, "--channel", "web-asean", "--at", "9999-12-31 23:59")
    assert one_error_line(english) == (
        "Error: --at: the time 9999-12-31 23:59 is out of range: from 2000 to the end of 2099"
    )
    assert one_error_line(loa("post", "show", "1")) == "Lỗi: Không có bài #1."  # none saved


def test_rescheduling_out_of_range_is_refused(loa: Run) -> None:
    added = loa(*ADD, "--channel", "web-asean", "--at", f"{future_day(5)} 09:00")
    assert added.code == 0, added
    moved = loa("--as", "cbtt.stttt", "post", "reschedule", "1", "--at", "9999-12-31 23:59")
    assert "Thời điểm 9999-12-31 23:59 nằm ngoài khoảng cho phép" in one_error_line(moved)
    assert f"{future_day(5)} 09:00" in loa("post", "show", "1").out


def test_a_stored_far_time_still_lists_shows_and_exports(
    loa: Run, cfg: Path, tmp_path: Path
) -> None:
    added = loa(*ADD, "--channel", "web-asean", "--at", f"{future_day(5)} 09:00")
    assert added.code == 0, added
    with sqlite3.connect(cfg.parent / "data" / "loa.db") as connection:
        far = "9999-12-31 23:59:59.000000"
        connection.execute("UPDATE post SET scheduled_at = ?", (far,))
        connection.execute("UPDATE delivery SET due_at = ?", (far,))
    listed = loa("post", "list")
    assert listed.code == 0, listed
    assert "9999-12-31 23:59" in listed.out
    shown = loa("post", "show", "1")
    assert shown.code == 0, shown
    assert "9999-12-31 23:59" in shown.out
    exported = loa("export", "-o", str(tmp_path / "posts.csv"))
    assert exported.code == 0, exported
    assert "9999-12-31 23:59" in (tmp_path / "posts.csv").read_text(encoding="utf-8-sig")

"""The reporting year and the names a report is read with."""

from __future__ import annotations

from datetime import UTC, datetime

from content.timeutil import zone
from loa.config import load_config
from loa.report_inputs import current_year, report_names, reporting_year
from tests.loa.test_config import BUILTIN, ROOT

HCM = zone("Asia/Ho_Chi_Minh")


def test_a_reporting_year_runs_from_one_first_of_november_to_the_next() -> None:
    start, end = reporting_year(2026, HCM, datetime(2027, 3, 1, tzinfo=UTC))
    assert start == datetime(2025, 11, 1, tzinfo=HCM) and end == datetime(2026, 11, 1, tzinfo=HCM)


def test_a_year_not_yet_over_ends_now_and_one_not_begun_is_empty() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    assert reporting_year(2026, HCM, now)[1] == now
    start, end = reporting_year(2028, HCM, now)
    assert start == end


def test_the_current_year_turns_on_the_first_of_november_in_hue() -> None:
    assert current_year(datetime(2026, 10, 31, 16, 59, tzinfo=UTC), HCM) == 2026
    assert current_year(datetime(2026, 10, 31, 17, 0, tzinfo=UTC), HCM) == 2027


def test_names_come_from_the_configuration() -> None:
    names = report_names(load_config(ROOT / "config.yaml", channel_types=BUILTIN))
    assert names.of("department", "SDL") == ("Sở Du lịch", "Department of Tourism")
    assert names.of("topic", "a")[0].startswith("Các sự kiện")
    assert names.of("channel", "web-asean")[0].endswith("(Trang web)")
    assert names.of("department", "NONE") == ("NONE", "NONE")

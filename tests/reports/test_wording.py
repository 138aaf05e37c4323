"""The words of the report files: the decree's date line, Vietnamese dates, the columns."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from content.timeutil import zone
from reports.wording import date_vi, evidence_headers, place_and_date, subject

HCM = zone("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(
    ("moment", "line"),
    [
        (datetime(2026, 12, 5, 3, tzinfo=UTC), "Thừa Thiên Huế, ngày 05 tháng 12 năm 2026"),
        (datetime(2026, 2, 14, 3, tzinfo=UTC), "Thừa Thiên Huế, ngày 14 tháng 02 năm 2026"),
        (datetime(2026, 10, 9, 3, tzinfo=UTC), "Thừa Thiên Huế, ngày 09 tháng 10 năm 2026"),
        # 31 October 20:00 UTC is already 1 November in Huế.
        (datetime(2026, 10, 31, 20, tzinfo=UTC), "Thừa Thiên Huế, ngày 01 tháng 11 năm 2026"),
    ],
)
def test_place_and_date_as_decree_30_writes_them(moment: datetime, line: str) -> None:
    assert place_and_date(moment, HCM) == line


def test_dates_and_the_subject_in_vietnamese() -> None:
    assert date_vi(datetime(2026, 12, 4, 18, tzinfo=UTC), HCM) == "05/12/2026"
    assert subject(2026) == "Kết quả thực hiện công tác tuyên truyền, quảng bá ASEAN năm 2026"


def test_the_evidence_columns_in_one_order_in_either_language() -> None:
    vi, en, both = evidence_headers("vi"), evidence_headers("en"), evidence_headers("both")
    assert vi[:2] == ["Ngày đăng", "Đơn vị"] and en[:2] == ["Published", "Department"]
    assert "Liên kết công khai" in vi and "Lượt xem" in vi
    assert both[0] == "Ngày đăng / Published"
    assert len(vi) == len(en) == len(both) == 14

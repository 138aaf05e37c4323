"""Yearly observances: occurrences in a window, reminder windows, year boundaries, 29 February."""

from __future__ import annotations

from datetime import date

import pytest

from content.observances import (
    Observance,
    Occurrence,
    day_problem,
    occurrences,
    ordinal,
    reminders_due,
)

ASEAN_DAY = Observance("Ngày ASEAN", "ASEAN Day", 8, 8, topic="a", year=1967)
JOINED = Observance("Ngày Việt Nam gia nhập ASEAN", "Vietnam joins ASEAN", 7, 28, year=1995)
CHARTER = Observance("Ngày Hiến chương ASEAN có hiệu lực", "ASEAN Charter", 12, 15, year=2008)
COMMUNITY = Observance("Ngày thành lập Cộng đồng ASEAN", "ASEAN Community", 12, 31)
NEW_YEAR = Observance("Đầu năm", "New year", 1, 5, remind_days_before=14)
ALL = (ASEAN_DAY, JOINED, CHARTER, COMMUNITY, NEW_YEAR)


def test_occurrences_in_a_month_include_both_ends() -> None:
    found = occurrences(ALL, date(2026, 7, 28), date(2026, 8, 8))
    assert [(o.date, o.observance.name_en) for o in found] == [
        (date(2026, 7, 28), "Vietnam joins ASEAN"),
        (date(2026, 8, 8), "ASEAN Day"),
    ]
    assert occurrences(ALL, date(2026, 7, 29), date(2026, 8, 7)) == []


def test_occurrences_across_the_new_year_and_over_several_years() -> None:
    found = occurrences(ALL, date(2026, 12, 1), date(2027, 1, 31))
    assert [o.date for o in found] == [date(2026, 12, 15), date(2026, 12, 31), date(2027, 1, 5)]
    years = occurrences([ASEAN_DAY], date(2025, 1, 1), date(2028, 12, 31))
    assert [o.date for o in years] == [date(y, 8, 8) for y in (2025, 2026, 2027, 2028)]
    assert occurrences(ALL, date(2026, 3, 1), date(2026, 2, 1)) == []


def test_same_day_sorted_by_name() -> None:
    twin = Observance("Ấn phẩm", "Another", 8, 8)
    found = occurrences([ASEAN_DAY, twin], date(2026, 8, 8), date(2026, 8, 8))
    assert [o.observance.name_vi for o in found] == ["Ngày ASEAN", "Ấn phẩm"]


def test_anniversary_labels_in_both_languages() -> None:
    day = Occurrence(ASEAN_DAY, date(2026, 8, 8))
    assert day.anniversary == 59
    assert day.label("vi") == "Ngày ASEAN, kỷ niệm 59 năm"
    assert day.label("en") == "ASEAN Day, 59th anniversary"
    assert Occurrence(JOINED, date(2026, 7, 28)).label("en") == (
        "Vietnam joins ASEAN, 31st anniversary"
    )
    assert Occurrence(COMMUNITY, date(2026, 12, 31)).label("vi") == "Ngày thành lập Cộng đồng ASEAN"
    assert Occurrence(ASEAN_DAY, date(1967, 8, 8)).anniversary is None  # the day itself
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th",
    ]  # fmt: skip


def test_reminder_window_opens_fourteen_days_ahead_and_closes_after_the_day() -> None:
    assert reminders_due([ASEAN_DAY], date(2026, 7, 24)) == []  # 15 days ahead
    (first,) = reminders_due([ASEAN_DAY], date(2026, 7, 25))
    assert (first.days_left, first.opens_on, first.starts_today) == (14, date(2026, 7, 25), True)
    assert first.message("vi") == (
        "Ngày ASEAN, kỷ niệm 59 năm (08/08/2026) còn 14 ngày: hãy lên kế hoạch nội dung."
    )
    assert first.message("en") == (
        "ASEAN Day, 59th anniversary (8 August 2026) in 14 days: plan content."
    )
    (middle,) = reminders_due([ASEAN_DAY], date(2026, 8, 7))
    assert (middle.days_left, middle.starts_today) == (1, False)
    assert middle.message("en").endswith("in 1 day: plan content.")
    (today,) = reminders_due([ASEAN_DAY], date(2026, 8, 8))
    assert today.days_left == 0
    assert today.message("vi") == (
        "Hôm nay là Ngày ASEAN, kỷ niệm 59 năm (08/08/2026): nội dung đã sẵn sàng chưa?"
    )
    assert today.message("en") == (
        "ASEAN Day, 59th anniversary is today (8 August 2026): is the content ready?"
    )
    assert reminders_due([ASEAN_DAY], date(2026, 8, 9)) == []  # next year's is 364 days away


def test_reminders_across_the_new_year_soonest_first() -> None:
    due = reminders_due(ALL, date(2026, 12, 25))
    assert [(r.occurrence.observance.name_en, r.occurrence.date, r.days_left) for r in due] == [
        ("ASEAN Community", date(2026, 12, 31), 6),
        ("New year", date(2027, 1, 5), 11),
    ]
    (opens,) = reminders_due([NEW_YEAR], date(2026, 12, 22))
    assert (opens.opens_on, opens.starts_today) == (date(2026, 12, 22), True)
    assert reminders_due([NEW_YEAR], date(2026, 12, 21)) == []


def test_custom_and_zero_reminder_windows() -> None:
    week = Observance("Tuần lễ", "Week", 3, 10, remind_days_before=7)
    assert reminders_due([week], date(2026, 3, 2)) == []
    assert [r.days_left for r in reminders_due([week], date(2026, 3, 3))] == [7]
    same_day = Observance("Trong ngày", "Same day", 3, 10, remind_days_before=0)
    assert reminders_due([same_day], date(2026, 3, 9)) == []
    (due,) = reminders_due([same_day], date(2026, 3, 10))
    assert due.starts_today and due.days_left == 0


def test_observance_on_a_leap_year_day_before_and_after() -> None:
    end_of_february = Observance("Cuối tháng Hai", "End of February", 2, 28)
    assert [o.date for o in occurrences([end_of_february], date(2028, 2, 1), date(2028, 3, 1))] == [
        date(2028, 2, 28)
    ]
    (due,) = reminders_due([end_of_february], date(2028, 2, 14))
    assert due.days_left == 14  # 2028 is a leap year: counting days is unaffected


@pytest.mark.parametrize(
    ("month", "day", "message"),
    [
        (2, 29, "29 February is not in every year; choose 28 February or 1 March"),
        (4, 31, "April has 30 days; day 31 does not exist"),
        (2, 30, "February has 28 days; day 30 does not exist"),
        (13, 1, "month 13 does not exist; write 1 to 12"),
        (1, 0, "January has 31 days; day 0 does not exist"),
    ],
)
def test_days_that_are_not_in_every_year_are_refused(month: int, day: int, message: str) -> None:
    assert day_problem(month, day) == message
    with pytest.raises(ValueError, match=message):
        Observance("Ngày", "Day", month, day)


def test_negative_reminder_refused_and_valid_days_accepted() -> None:
    with pytest.raises(ValueError, match="remind_days_before cannot be negative"):
        Observance("Ngày", "Day", 8, 8, remind_days_before=-1)
    assert day_problem(12, 31) is None
    assert day_problem(2, 28) is None

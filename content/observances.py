"""Recurring ASEAN observances (ASEAN Day on 8 August, ...): when they fall, and when to plan.

Observances are fixed days of the year, configured in config.yaml (`observances:`) and shown in
the background of the calendar with a reminder to prepare content ahead. Pure functions of dates:
no database, no configuration object, so the calendar pages, the feed and the worker's reminder
job all compute the same thing.

29 February is refused: an observance that exists one year in four would silently vanish from
three calendars out of four, and nobody would notice until the reminder did not come.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

LEAP_DAY = (2, 29)
DEFAULT_REMIND_DAYS = 14
MONTHS_EN = tuple(calendar.month_name)


def day_problem(month: int, day: int) -> str | None:
    """Why (month, day) is not a fixed day of every year, in English; None when it is."""
    if not 1 <= month <= 12:
        return f"month {month} does not exist; write 1 to 12"
    if (month, day) == LEAP_DAY:
        return "29 February is not in every year; choose 28 February or 1 March"
    # 2001 is not a leap year, so February has 28 days here, as in three years out of four.
    days = calendar.monthrange(2001, month)[1]
    if not 1 <= day <= days:
        return f"{MONTHS_EN[month]} has {days} days; day {day} does not exist"
    return None


@dataclass(frozen=True)
class Observance:
    """A day that comes back every year, such as ASEAN Day (8 August, founded 1967)."""

    name_vi: str
    name_en: str
    month: int
    day: int
    remind_days_before: int = DEFAULT_REMIND_DAYS
    topic: str | None = None  # the plan's topic (a-i) that content for it usually carries
    year: int | None = None  # the year it first happened, for "the 59th anniversary"

    def __post_init__(self) -> None:
        problem = day_problem(self.month, self.day)
        if problem is not None:
            raise ValueError(f"{self.name_en}: {problem}")
        if self.remind_days_before < 0:
            raise ValueError(f"{self.name_en}: remind_days_before cannot be negative")

    def on(self, year: int) -> date:
        return date(year, self.month, self.day)

    def next_on_or_after(self, day: date) -> date:
        this_year = self.on(day.year)
        return this_year if this_year >= day else self.on(day.year + 1)


@dataclass(frozen=True)
class Occurrence:
    observance: Observance
    date: date

    @property
    def anniversary(self) -> int | None:
        """How many years since it first happened (None when the first year is not known)."""
        first = self.observance.year
        return None if first is None or first >= self.date.year else self.date.year - first

    def label(self, lang: str = "vi") -> str:
        """The name, with the anniversary when the first year is known: "Ngày ASEAN, kỷ niệm 59
        năm", "ASEAN Day, 59th anniversary"."""
        count = self.anniversary
        if lang == "vi":
            name = self.observance.name_vi
            return f"{name}, kỷ niệm {count} năm" if count else name
        name = self.observance.name_en
        return f"{name}, {ordinal(count)} anniversary" if count else name


@dataclass(frozen=True)
class Reminder:
    """An occurrence whose planning window is open: from `opens_on` until the day itself."""

    occurrence: Occurrence
    days_left: int
    opens_on: date

    @property
    def starts_today(self) -> bool:
        """True on the first day of the window: the day to send an alert (once, not daily)."""
        return self.days_left == self.occurrence.observance.remind_days_before

    def message(self, lang: str = "vi") -> str:
        when = self.occurrence.date
        label = self.occurrence.label(lang)
        if lang == "vi":
            if self.days_left == 0:
                return f"Hôm nay là {label} ({when:%d/%m/%Y}): nội dung đã sẵn sàng chưa?"
            return (
                f"{label} ({when:%d/%m/%Y}) còn {self.days_left} ngày: hãy lên kế hoạch nội dung."
            )
        day = f"{when.day} {MONTHS_EN[when.month]} {when.year}"
        if self.days_left == 0:
            return f"{label} is today ({day}): is the content ready?"
        unit = "day" if self.days_left == 1 else "days"
        return f"{label} ({day}) in {self.days_left} {unit}: plan content."


def ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def occurrences(
    observances: Iterable[Observance], start_date: date, end_date: date
) -> list[Occurrence]:
    """Every occurrence from `start_date` to `end_date`, both included, by date then name."""
    found = [
        Occurrence(observance, observance.on(year))
        for observance in observances
        for year in range(start_date.year, end_date.year + 1)
        if start_date <= observance.on(year) <= end_date
    ]
    return sorted(found, key=lambda o: (o.date, o.observance.name_vi))


def reminders_due(observances: Iterable[Observance], today: date) -> list[Reminder]:
    """The observances whose reminder window is open today (it opens `remind_days_before` days
    ahead and stays open until the day itself), soonest first. Across the new year too: a
    reminder for 5 January opens in December."""
    due: list[Reminder] = []
    for observance in observances:
        when = observance.next_on_or_after(today)
        days_left = (when - today).days
        if days_left <= observance.remind_days_before:
            opens_on = when - timedelta(days=observance.remind_days_before)
            due.append(Reminder(Occurrence(observance, when), days_left, opens_on))
    return sorted(due, key=lambda r: (r.days_left, r.occurrence.observance.name_vi))

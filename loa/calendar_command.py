"""`loa calendar`: the week or month view in the terminal."""

from __future__ import annotations

from datetime import date

from content.calendar import CalendarFilter, entries, month_window, week_window
from content.errors import InvalidInput
from content.inputs import problem
from content.labels import zone_label
from content.models import DeliveryState, EditorialState
from content.timeutil import utcnow
from loa.app import App
from loa.views import calendar_lines, channel_names, local_date_range, words


def show_calendar(
    loa: App,
    lang: str,
    month: str | None,
    week: str | None,
    departments: list[str] | None,
    channels: list[str] | None,
    topics: list[str] | None,
    states: list[str] | None,
) -> list[str]:
    tz = loa.config.zone
    today = utcnow().astimezone(tz).date()
    if month and week:
        raise InvalidInput(
            [problem("month", "Chọn --month hoặc --week.", "give --month or --week, not both")]
        )
    if week:
        day = _read_date(week, "week")
        start, end = week_window(day, tz)
        heading = words(
            lang,
            f"Lịch đăng bài tuần {start.astimezone(tz):%d/%m/%Y}",
            f"Publishing calendar, week of {start.astimezone(tz):%d %b %Y}",
        )
    else:
        year, number = _read_month(month) if month else (today.year, today.month)
        start, end = month_window(year, number, tz)
        heading = words(
            lang,
            f"Lịch đăng bài tháng {number:02d}/{year}",
            f"Publishing calendar, {date(year, number, 1):%B %Y}",
        )
    post_states, delivery_states = _split_states(states or [])
    where = CalendarFilter(
        departments=departments or (),
        channels=channels or (),
        topics=topics or (),
        post_states=post_states,
        delivery_states=delivery_states,
    )
    with loa.db.read() as session:
        found = entries(session, start, end, where)
    heading += f" ({zone_label(tz, lang, start)})"
    days = local_date_range(start, end, tz)
    return calendar_lines(
        found, tz, lang, heading, days, channels=channel_names(loa.config.channels, lang)
    )


def _read_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            [
                problem(
                    option,
                    f"Ngày “{text}” không hợp lệ; viết YYYY-MM-DD.",
                    f"{text!r} is not a date; write YYYY-MM-DD",
                )
            ]
        ) from None


def _read_month(text: str) -> tuple[int, int]:
    try:
        first = date.fromisoformat(f"{text}-01")
    except ValueError:
        raise InvalidInput(
            [
                problem(
                    "month",
                    f"Tháng “{text}” không hợp lệ; viết YYYY-MM.",
                    f"{text!r} is not a month; write YYYY-MM",
                )
            ]
        ) from None
    return first.year, first.month


def _split_states(states: list[str]) -> tuple[list[str], list[str]]:
    post_states = [s for s in states if s in set(EditorialState)]
    delivery_states = [s for s in states if s in set(DeliveryState) and s not in post_states]
    unknown = [s for s in states if s not in post_states and s not in delivery_states]
    if unknown:
        known = ", ".join([*EditorialState, *DeliveryState])
        raise InvalidInput(
            [
                problem(
                    "state",
                    f"Trạng thái không có: {', '.join(unknown)} (có: {known}).",
                    f"unknown state {', '.join(unknown)}; known: {known}",
                )
            ]
        )
    return post_states, delivery_states

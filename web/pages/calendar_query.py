"""What a calendar page asks for: the query string read, the days it shows, its navigation.

No database here: the view, the day and the filters become a `CalendarQuery`, which knows the
window of local days its view covers and the addresses of its neighbours.
"""

from __future__ import annotations

import calendar as stdlib_calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from urllib.parse import urlencode

from content.errors import FieldProblem, InvalidInput
from content.timeutil import EARLIEST, LATEST
from web.i18n import format_date, month_name, t
from web.query_errors import InvalidQuery

VIEWS = ("month", "week", "day", "list")
FILTERS = ("department", "channel", "topic", "pillar", "state")


@dataclass(frozen=True)
class CalendarQuery:
    """The page asked for: a view, a day, and filters (each a list; the form sends one)."""

    view: str
    day: date
    departments: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    pillars: tuple[str, ...] = ()
    states: tuple[str, ...] = ()

    def filter_params(self) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        for name, values in zip(FILTERS, self.filter_values(), strict=True):
            pairs += [(name, value) for value in values]
        return pairs

    def filter_values(self) -> tuple[tuple[str, ...], ...]:
        return (self.departments, self.channels, self.topics, self.pillars, self.states)

    def url(self, *, view: str | None = None, day: date | None = None) -> str:
        """This page for another view or day, the filters kept (a month links every day)."""
        pairs = [("view", view or self.view), ("date", (day or self.day).isoformat())]
        return "/calendar?" + urlencode(pairs) + self._filters_tail

    @cached_property
    def _filters_tail(self) -> str:
        params = self.filter_params()
        return "&" + urlencode(params) if params else ""

    def selected(self, name: str) -> str:
        values = dict(zip(FILTERS, self.filter_values(), strict=True))[name]
        return values[0] if values else ""

    @property
    def filtered(self) -> bool:
        return any(self.filter_values())


def parse_date(text: str, name: str = "date") -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise invalid(name, "cal.bad_date", text) from None
    first, last = EARLIEST.date(), LATEST.date() - timedelta(days=1)
    if not first <= day <= last:
        # the same years as the times a post may take; farther, the weeks around a day
        # would step off the calendar (date.max + 1 day)
        raise invalid(name, "cal.date_range", text, first=first, last=last)
    return day


def invalid(name: str, key: str, value: str, **more: object) -> InvalidInput:
    shown = value[:40]
    vi, en = t(key, "vi", value=shown, **more), t(key, "en", value=shown, **more)
    return InvalidInput([FieldProblem(name, vi, en)])


def parse_query(
    params: Mapping[str, str], lists: Mapping[str, list[str]], today: date
) -> CalendarQuery:
    view = params.get("view", "month")
    try:
        day = parse_date(params["date"]) if params.get("date") else today
    except InvalidInput as error:
        raise InvalidQuery.of(error) from None  # a page address, not a form: 400

    def values(name: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.strip() for v in lists.get(name, []) if v.strip()))

    return CalendarQuery(
        view if view in VIEWS else "month",
        day,
        values("department"),
        values("channel"),
        values("topic"),
        values("pillar"),
        values("state"),
    )


def month_bounds(day: date) -> tuple[date, date]:
    """The first day of `day`'s month and the first of the next."""
    first = day.replace(day=1)
    days = stdlib_calendar.monthrange(day.year, day.month)[1]
    return first, first + timedelta(days=days)


def shown_days(query: CalendarQuery) -> tuple[date, date]:
    """The local days the view shows: [start, end)."""
    if query.view == "day":
        return query.day, query.day + timedelta(days=1)
    if query.view == "week":
        monday = query.day - timedelta(days=query.day.weekday())
        return monday, monday + timedelta(days=7)
    first, following = month_bounds(query.day)
    if query.view == "list":
        return first, following
    # The month grid runs from the Monday before the 1st to the Sunday after the last day.
    start = first - timedelta(days=first.weekday())
    last = following - timedelta(days=1)
    return start, last + timedelta(days=7 - last.weekday())


def neighbours(query: CalendarQuery) -> tuple[date, date]:
    """The day the "previous" and "next" links open."""
    if query.view == "day":
        return query.day - timedelta(days=1), query.day + timedelta(days=1)
    if query.view == "week":
        return query.day - timedelta(days=7), query.day + timedelta(days=7)
    first, following = month_bounds(query.day)
    return (first - timedelta(days=1)).replace(day=1), following


def heading(query: CalendarQuery, lang: str) -> str:
    if query.view == "day":
        return format_date(query.day, lang)
    if query.view == "week":
        start, end = shown_days(query)
        last = end - timedelta(days=1)
        return t(
            "cal.week_of",
            lang,
            start=format_date(start, lang, with_weekday=False),
            end=format_date(last, lang, with_weekday=False),
        )
    month = month_name(query.day.month, lang)
    return f"{month} {query.day.year}" if lang == "en" else f"{month}/{query.day.year}"


def weeks_of(start: date, end: date) -> list[list[date]]:
    days = [start + timedelta(days=n) for n in range((end - start).days)]
    return [days[i : i + 7] for i in range(0, len(days), 7)]

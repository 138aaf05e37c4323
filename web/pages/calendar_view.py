"""What the calendar pages show: the words, the filters' choices, the banners, and the entries.

Kept apart from the routes (web.pages.calendar) so the month view of thousands of deliveries is
built in one pass of plain tuples: one `content.calendar.entries` query for the whole window,
grouped into one entry per post (web.pages.calendar_entries), labels looked up in dictionaries,
nothing per delivery that touches the database. The query string and the window of days are
read by web.pages.calendar_query.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import select
from sqlmodel import Session, col

from content.calendar import CalendarFilter, day_window, entries
from content.models import Channel, Department, PublishingControl
from content.observances import Observance, Occurrence, Reminder, occurrences, reminders_due
from content.workflow import Actor, state_label
from web.pages.calendar_entries import (
    POST_MARKS,
    STATE_MARKS,
    Entry,
    LegendChannel,
    Looks,
    channel_classes,
    entries_of,
    legend_channels,
    state_words,
)
from web.pages.calendar_query import CalendarQuery, parse_date, shown_days
from web.services import ChannelDisplay

# parse_date too: web.pages.reports_view reads its dates as the calendar does.
__all__ = ["CalendarPage", "load_page", "parse_date"]

NO_DEPARTMENT = "\x00"  # an officer without a department sees nothing, not everything
MONTH_CELL_POSTS = 3  # a month cell shows this many posts, then "+N bài nữa" opens the day
# The post states the legend explains (an approved post shows its channels' states instead).
LEGEND_POST_STATES = ("draft", "in_review", "rejected")


def visible_filter(actor: Actor, query: CalendarQuery) -> CalendarFilter:
    """The query's filters, narrowed to the actor's department for officers."""
    departments: tuple[str, ...] = query.departments
    if not actor.reviews:
        own = actor.department_code or NO_DEPARTMENT
        departments = (own,) if not departments or own in departments else (NO_DEPARTMENT,)
    return CalendarFilter(
        departments=departments,
        channels=query.channels,
        topics=query.topics,
        pillars=query.pillars,
        delivery_states=query.states,
    )


@dataclass(frozen=True)
class FilterChoices:
    departments: list[tuple[str, str]]  # (code, name)
    channels: list[tuple[str, str]]  # (id, name)
    topics: list[tuple[str, str]]  # (code, name)
    pillars: list[tuple[str, str]]
    states: list[tuple[str, str]]  # (state, mark and words)


@dataclass(frozen=True)
class Pause:
    paused: bool
    reason: str | None = None
    changed_by: str = ""
    changed_at: datetime | None = None


@dataclass(frozen=True)
class Legend:
    """What the marks and colours mean: channels, delivery states, post states."""

    channels: list[LegendChannel]
    deliveries: list[tuple[str, str, str]]  # (state, mark, words)
    posts: list[tuple[str, str, str]]


@dataclass
class CalendarPage:
    query: CalendarQuery
    start: date
    end: date
    entries: list[Entry]
    by_day: dict[date, list[Entry]]  # the month: at most MONTH_CELL_POSTS a day
    more: dict[date, int]  # the month: the posts of a day beyond those, "+N bài nữa"
    observances: dict[date, list[Occurrence]]
    reminders: list[Reminder]
    pause: Pause
    choices: FilterChoices
    legend: Legend
    today: date
    departments: dict[str, str] = field(default_factory=dict)


def load_page(
    session: Session,
    *,
    actor: Actor,
    query: CalendarQuery,
    tz: tzinfo,
    lang: str,
    today: date,
    channels: Sequence[ChannelDisplay],
    observances: Sequence[Observance],
    topics: Sequence[tuple[str, str]],
    pillars: Sequence[tuple[str, str]],
) -> CalendarPage:
    start, end = shown_days(query)
    window_start, window_end = day_window(start, tz, (end - start).days)
    found = entries(session, window_start, window_end, visible_filter(actor, query))
    displays = {item.id: item for item in channels}
    css = channel_classes(channels)
    looks = Looks(lang, actor, displays, css)
    grouped = entries_of(
        found,
        tz=tz,
        looks=looks,
        per_hour=query.view in ("week", "day"),
        day_limit=MONTH_CELL_POSTS if query.view == "month" else None,
    )
    on_days: dict[date, list[Occurrence]] = {}
    for occurrence in occurrences(observances, start, end - timedelta(days=1)):
        on_days.setdefault(occurrence.date, []).append(occurrence)
    departments = {
        str(code): str(vi if lang == "vi" else en)
        for code, vi, en in session.connection().execute(
            select(col(Department.code), col(Department.name_vi), col(Department.name_en))
        )
    }
    choices = choices_of(session, actor, lang, departments, displays, topics, pillars)
    return CalendarPage(
        query=query,
        start=start,
        end=end,
        entries=grouped.entries,
        by_day=grouped.by_day,
        more=grouped.more,
        observances=on_days,
        reminders=reminders_due(observances, today),
        pause=pause_of(session),
        choices=choices,
        legend=legend_of(channels, css, choices, lang),
        today=today,
        departments=departments,
    )


def legend_of(
    channels: Sequence[ChannelDisplay],
    css: Mapping[str, str],
    choices: FilterChoices,
    lang: str,
) -> Legend:
    return Legend(
        channels=legend_channels(channels, css, {id_ for id_, _ in choices.channels}, lang),
        deliveries=[
            (state, mark, state_words(state, lang))
            for state, mark in STATE_MARKS.items()
            if state != "cancelled"
        ],
        posts=[
            (state, POST_MARKS[state], state_label(state, lang)) for state in LEGEND_POST_STATES
        ],
    )


def pause_of(session: Session) -> Pause:
    row = session.get(PublishingControl, 1)
    if row is None or not row.paused:
        return Pause(False)
    return Pause(True, row.reason, row.changed_by, row.changed_at)


def choices_of(
    session: Session,
    actor: Actor,
    lang: str,
    departments: Mapping[str, str],
    displays: Mapping[str, ChannelDisplay],
    topics: Sequence[tuple[str, str]],
    pillars: Sequence[tuple[str, str]],
) -> FilterChoices:
    """What the filters offer: officers their department, its channels and the shared ones."""
    rows = session.connection().execute(
        select(
            col(Channel.id), col(Channel.name), col(Channel.department_code), col(Channel.settings)
        )
    )
    channel_options: list[tuple[str, str]] = []
    for channel_id, name, department, settings in rows:
        shared = bool((settings or {}).get("shared", False))
        if actor.reviews or department == actor.department_code or shared:
            shown = displays.get(channel_id)
            channel_options.append(
                (channel_id, (shown.name if shown else "") or name or channel_id)
            )
    own = actor.department_code
    return FilterChoices(
        departments=[
            (code, name) for code, name in departments.items() if actor.reviews or code == own
        ],
        channels=sorted(channel_options, key=lambda pair: pair[1].lower()),
        topics=list(topics),
        pillars=list(pillars),
        states=[
            (state, f"{mark} {state_words(state, lang)}") for state, mark in STATE_MARKS.items()
        ],
    )

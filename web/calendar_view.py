"""What the calendar pages show: the query string read, the window, one query, plain chips.

Kept apart from the routes (web.pages_calendar) so the month view of thousands of entries is
built in one pass of plain tuples: one `content.calendar.entries` query for the whole window,
labels and colours looked up in dictionaries, nothing per entry that touches the database.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, tzinfo
from typing import NamedTuple
from urllib.parse import urlencode

from markupsafe import Markup
from sqlalchemy import select
from sqlmodel import Session, col

from content.calendar import CalendarEntry, CalendarFilter, day_window, entries
from content.errors import FieldProblem, InvalidInput
from content.models import (
    FINAL_DELIVERY_STATES,
    IN_FLIGHT_DELIVERY_STATES,
    Channel,
    DeliveryState,
    Department,
    EditorialState,
    PublishingControl,
)
from content.observances import Observance, Occurrence, Reminder, occurrences, reminders_due
from content.timeutil import EARLIEST, LATEST
from content.workflow import DELIVERY_STATE_WORDS, Actor, state_label
from web.i18n import add_messages, month_name
from web.query_errors import InvalidQuery
from web.services import ChannelDisplay

VIEWS = ("month", "week", "day", "list")
FILTERS = ("department", "channel", "topic", "pillar", "state")
D, E = DeliveryState, EditorialState
NO_DEPARTMENT = "\x00"  # an officer without a department sees nothing, not everything

# A mark per delivery state that does not rely on colour: a symbol, with the words beside it
# (or, in the month grid, in a title and for screen readers).
STATE_MARKS: dict[str, str] = {
    D.pending: "○",
    D.scheduled: "◷",
    D.claimed: "⇡",
    D.sending: "⇡",
    D.published: "✓",
    D.handed_over: "⏲",
    D.reconciling: "⟳",
    D.needs_review: "⚠",
    D.failed: "✗",
    D.missed: "⌛",
    D.cancelled: "⊘",
}
MOVABLE_POST_STATES = frozenset({E.draft, E.in_review, E.approved, E.rejected})
FIXED_DELIVERY_STATES = FINAL_DELIVERY_STATES | IN_FLIGHT_DELIVERY_STATES

add_messages(
    {
        "cal.title": ("Lịch đăng bài", "Publishing calendar"),
        "cal.view.month": ("Tháng", "Month"),
        "cal.view.week": ("Tuần", "Week"),
        "cal.view.day": ("Ngày", "Day"),
        "cal.view.list": ("Danh sách", "List"),
        "cal.views": ("Cách xem", "Views"),
        "cal.prev": ("‹ Trước", "‹ Previous"),
        "cal.next": ("Sau ›", "Next ›"),
        "cal.today": ("Hôm nay", "Today"),
        "cal.week_of": ("Tuần {start} – {end}", "Week {start} – {end}"),
        "cal.filters": ("Lọc", "Filters"),
        "cal.filter.department": ("Đơn vị", "Department"),
        "cal.filter.channel": ("Kênh", "Channel"),
        "cal.filter.topic": ("Chủ đề", "Topic"),
        "cal.filter.pillar": ("Trụ cột", "Pillar"),
        "cal.filter.state": ("Trạng thái đăng", "Delivery state"),
        "cal.filter.any": ("Tất cả", "All"),
        "cal.filter.apply": ("Lọc", "Apply"),
        "cal.filter.clear": ("Bỏ lọc", "Clear filters"),
        "cal.topic": ("Chủ đề {code}", "Topic {code}"),
        "cal.empty": ("Không có bài nào trong khoảng này.", "No posts in this period."),
        "cal.paused": (
            "Việc đăng bài đang TẠM DỪNG: không bài nào được đăng cho tới khi tiếp tục.",
            "Publishing is PAUSED: nothing goes out until it is resumed.",
        ),
        "cal.paused_by": ("Người dừng: {who}, lúc {when}.", "Paused by {who} at {when}."),
        "cal.paused_reason": ("Lý do: {reason}", "Reason: {reason}"),
        "cal.observance": ("Ngày kỷ niệm", "Observance"),
        "cal.more_help": (
            "Kéo thả một bài sang ngày (hoặc khung giờ) khác để dời lịch; hoặc mở xem theo ngày"
            " và dùng nút “Dời lịch” của bài.",
            "Drag a post to another day (or time slot) to reschedule it; or open the day view"
            " and use the post's “Reschedule” button.",
        ),
        "cal.move": ("Dời lịch", "Reschedule"),
        "cal.move.date": ("Ngày mới", "New date"),
        "cal.move.time": ("Giờ mới", "New time"),
        "cal.move.submit": ("Dời", "Move"),
        "cal.moved": ("Đã dời bài #{post_id} sang {when}.", "Post #{post_id} moved to {when}."),
        "cal.moved_short": ("Đã dời lịch bài #{post_id}.", "Post #{post_id} was rescheduled."),
        "cal.undone_short": (
            "Đã hoàn tác: bài #{post_id} về giờ cũ.",
            "Undone: post #{post_id} is back at its old time.",
        ),
        "cal.undo": ("Hoàn tác", "Undo"),
        "cal.undone": (
            "Đã trả bài #{post_id} về {when}.",
            "Post #{post_id} is back at {when}.",
        ),
        "cal.move_failed": (
            "Không dời được lịch; không có gì bị thay đổi. Hãy tải lại trang rồi thử lại.",
            "Could not reschedule; nothing was changed. Reload the page and try again.",
        ),
        "cal.officer_approved": (
            "Bài #{post_id} đã được duyệt: chỉ biên tập viên được dời lịch bài đã duyệt."
            " Hãy nhờ biên tập viên, hoặc sửa bài (bài sẽ phải duyệt lại).",
            "Post #{post_id} is approved: only editors may move an approved post. Ask an editor,"
            " or edit the post (it will need approval again).",
        ),
        "cal.bad_date": (
            "Ngày “{value}” không hợp lệ; hãy viết theo dạng NNNN-TT-NN, ví dụ 2026-08-08.",
            "the date {value!r} is not valid; write YYYY-MM-DD, e.g. 2026-08-08",
        ),
        "cal.date_range": (
            "Ngày “{value}” nằm ngoài lịch: chỉ từ {first} đến {last}.",
            "the date {value!r} is off the calendar: only from {first} to {last}",
        ),
        "cal.bad_time": (
            "Giờ “{value}” không hợp lệ; hãy viết theo dạng GG:PP, ví dụ 07:30.",
            "the time {value!r} is not valid; write HH:MM, e.g. 07:30",
        ),
        "cal.bad_post": ("Thiếu số bài cần dời.", "the post to move is missing"),
        "cal.feeds": ("Đăng ký lịch (iCalendar)", "Subscribe (iCalendar)"),
        "cal.post_state": ("Trạng thái bài", "Post state"),
        "cal.time": ("Giờ", "Time"),
        "cal.hours": ("Khung giờ", "Hour"),
    }
)


class Chip(NamedTuple):
    """One delivery as a calendar entry, every label already chosen."""

    post_id: int
    delivery_id: int
    title: str
    day: date  # local
    time: str  # local "HH:MM"
    hour: int
    channel_id: str
    channel_name: str
    css: str  # the channel's colour class
    state: str
    mark: str
    label: str  # the delivery state in words
    post_state: str  # the editorial state in words
    department: str
    topic: str
    pillar: str | None
    movable: bool


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
        """This page for another view or day, the filters kept."""
        pairs = [("view", view or self.view), ("date", (day or self.day).isoformat())]
        return "/calendar?" + urlencode(pairs + self.filter_params())

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
    from web.i18n import t

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


# --- windows and navigation -------------------------------------------------------------------


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
    from web.i18n import format_date, t

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
    return (
        f"{month_name(query.day.month, lang)} {query.day.year}"
        if lang == "en"
        else (f"{month_name(query.day.month, lang)}/{query.day.year}")
    )


def weeks_of(start: date, end: date) -> list[list[date]]:
    days = [start + timedelta(days=n) for n in range((end - start).days)]
    return [days[i : i + 7] for i in range(0, len(days), 7)]


# --- who sees and moves what ------------------------------------------------------------------


def may_move(actor: Actor, department: str, post_state: str, delivery_state: str) -> bool:
    """Whether the page offers to move this entry; PostService.reschedule decides in the end.

    Officers move their own department's posts that are not approved yet: moving an approved
    post by an officer would send it back to review, which a drag should never do silently.
    """
    if post_state not in MOVABLE_POST_STATES or delivery_state in FIXED_DELIVERY_STATES:
        return False
    if actor.reviews:
        return True
    return actor.department_code == department and post_state != E.approved


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


# --- loading ----------------------------------------------------------------------------------


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


@dataclass
class CalendarPage:
    query: CalendarQuery
    start: date
    end: date
    chips: list[Chip]
    by_day: dict[date, list[Chip]]
    observances: dict[date, list[Occurrence]]
    reminders: list[Reminder]
    pause: Pause
    choices: FilterChoices
    today: date
    departments: dict[str, str] = field(default_factory=dict)


def state_words(state: str, lang: str) -> str:
    vi, en = DELIVERY_STATE_WORDS.get(state, (state, state))
    words = vi if lang == "vi" else en
    return words[:1].upper() + words[1:]


def chips_of(
    found: Sequence[CalendarEntry],
    *,
    tz: tzinfo,
    lang: str,
    actor: Actor,
    channels: Mapping[str, ChannelDisplay],
    css: Mapping[str, str],
) -> tuple[list[Chip], dict[date, list[Chip]]]:
    """Entries as chips, and the same chips by local day, in one pass; every label, local time
    and permission is worked out once per distinct value (a month holds thousands of entries
    but few distinct times, and equal times from `entries` are one object)."""
    words = {state: state_words(state, lang) for state in STATE_MARKS}
    post_words: dict[str, str] = {str(state): state_label(state, lang) for state in E}
    # A post being published on one channel cannot move on any (PostService refuses it).
    busy = {entry.post_id for entry in found if entry.delivery_state in IN_FLIGHT_DELIVERY_STATES}
    by_day: dict[date, list[Chip]] = {}
    times: dict[datetime, tuple[date, str, int, list[Chip]]] = {}
    # (channel, delivery state, post state, department) -> channel name, colour class, mark,
    # state in words, post state in words, may move
    looks: dict[tuple[str, str, str, str], tuple[str, str, str, str, str, bool]] = {}
    chips: list[Chip] = []
    append = chips.append
    new = tuple.__new__  # what Chip._make does, without a Python call per entry
    for entry in found:
        (
            post_id, delivery_id, channel_id, due_at, title, p_state, d_state, dept, topic, pillar,
        ) = entry  # fmt: skip
        shown = times.get(due_at)
        if shown is None:
            local = due_at.astimezone(tz)
            day = local.date()
            shown = times[due_at] = (day, f"{local:%H:%M}", local.hour, by_day.setdefault(day, []))
        key = (channel_id, d_state, p_state, dept)
        look = looks.get(key)
        if look is None:
            channel = channels.get(channel_id)
            look = looks[key] = (
                (channel.name if channel else "") or channel_id,
                css.get(channel_id, "ch-x"),
                STATE_MARKS.get(d_state, "•"),
                words.get(d_state, d_state),
                post_words.get(p_state, p_state),
                may_move(actor, dept, p_state, d_state),
            )
        chip = new(
            Chip,
            (
                post_id,
                delivery_id,
                title,
                shown[0],
                shown[1],
                shown[2],
                channel_id,
                look[0],
                look[1],
                d_state,
                look[2],
                look[3],
                look[4],
                dept,
                topic,
                pillar,
                look[5] and post_id not in busy,
            ),
        )
        append(chip)
        shown[3].append(chip)
    return chips, by_day


def channel_classes(channels: Sequence[ChannelDisplay]) -> dict[str, str]:
    """A CSS class per channel (`ch-0`, `ch-1`...), coloured by /calendar/channels.css."""
    return {item.id: f"ch-{index}" for index, item in enumerate(channels)}


def month_cells(by_day: Mapping[date, Sequence[Chip]]) -> dict[date, Markup]:
    """The entries of each month cell as HTML, built here rather than in the template.

    A busy month holds thousands of entries of a dozen values each; escaping each value once
    with `html.escape` and handing Jinja one string per day is several times faster than a
    dozen autoescaped template expressions per entry. What depends only on the channel and the
    state is built once per channel and state, and each distinct title escaped once. Everything
    typed by a person (the title, the channel name) is escaped here, and the tests check that
    markup in a title stays text.
    """
    escape = html.escape
    looks: dict[tuple[str, str, str, str, str], tuple[str, str, str]] = {}
    titles: dict[str, str] = {}
    cells: dict[date, Markup] = {}
    for day, chips in by_day.items():
        parts: list[str] = []
        append = parts.append
        for c in chips:
            key = (c.channel_name, c.css, c.state, c.mark, c.label)
            look = looks.get(key)
            if look is None:
                label = escape(c.label)
                look = looks[key] = (
                    f'<li class="chip {c.css} st-{escape(c.state)}" data-post="',
                    f'"><i aria-hidden="true" title="{label}">{c.mark}</i> <b>',
                    f'<span class="sr">, {escape(c.channel_name)}, {label}</span></a></li>',
                )
            title = titles.get(c.title)
            if title is None:
                title = titles[c.title] = escape(c.title)
            drag = ' draggable="true"' if c.movable else ""
            append(
                f'{look[0]}{c.post_id}" data-time="{c.time}"{drag}><a href="/posts/{c.post_id}'
                f"{look[1]}{c.time}</b> {title}{look[2]}"
            )
        cells[day] = Markup("".join(parts))  # every value above is escaped, or ours
    return cells


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
    chips, by_day = chips_of(
        found, tz=tz, lang=lang, actor=actor, channels=displays, css=channel_classes(channels)
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
    return CalendarPage(
        query=query,
        start=start,
        end=end,
        chips=chips,
        by_day=by_day,
        observances=on_days,
        reminders=reminders_due(observances, today),
        pause=pause_of(session),
        choices=choices_of(session, actor, lang, departments, displays, topics, pillars),
        today=today,
        departments=departments,
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


def with_day(query: CalendarQuery, day: date) -> CalendarQuery:
    return replace(query, day=day)

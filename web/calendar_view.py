"""What the calendar pages show: the words, the filters' choices, the banners, and the entries.

Kept apart from the routes (web.pages_calendar) so the month view of thousands of deliveries is
built in one pass of plain tuples: one `content.calendar.entries` query for the whole window,
grouped into one entry per post (web.calendar_entries), labels looked up in dictionaries,
nothing per delivery that touches the database. The query string and the window of days are
read by web.calendar_query.
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
from web.calendar_entries import (
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
from web.calendar_query import CalendarQuery, parse_date, shown_days
from web.i18n import add_messages
from web.services import ChannelDisplay

# parse_date too: web.reports_view reads its dates as the calendar does.
__all__ = ["CalendarPage", "load_page", "parse_date"]

NO_DEPARTMENT = "\x00"  # an officer without a department sees nothing, not everything
MONTH_CELL_POSTS = 3  # a month cell shows this many posts, then "+N bài nữa" opens the day
# The post states the legend explains (an approved post shows its channels' states instead).
LEGEND_POST_STATES = ("draft", "in_review", "rejected")

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
        "cal.more": ("+{n} bài nữa", "+{n} more posts"),
        "cal.more_label": (
            "Còn {n} bài nữa trong ngày {day}: mở xem theo ngày",
            "{n} more posts on {day}: open the day",
        ),
        "cal.legend": ("Chú giải", "Legend"),
        "cal.legend.channels": ("Kênh", "Channels"),
        "cal.legend.deliveries": (
            "Trạng thái đăng trên từng kênh",
            "Delivery state on each channel",
        ),
        "cal.legend.posts": ("Bài chưa duyệt", "Posts not approved yet"),
        "cal.legend.posts_hint": (
            "Mỗi bài là một mục; mỗi kênh của bài là một nhãn.",
            "Each post is one entry; each of its channels is a badge.",
        ),
    }
)


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

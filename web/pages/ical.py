"""The schedule as a subscribable iCalendar feed (RFC 5545), per department or channel.

Editors subscribe to it in their phone's or mail client's calendar. Every delivery (one post on
one channel) is one VEVENT whose UID never changes, so a client that polls the feed moves, updates
or strikes out the event when the post is rescheduled, edited or cancelled instead of adding a
copy. Times are written in UTC (`...Z`), which every client understands without a VTIMEZONE.

Written by hand rather than with a library: the format is small, and doing the escaping and the
folding here keeps them visible and tested (the tests parse the feed with the `icalendar`
package). Everything an officer typed goes out as TEXT values, never as HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session, col

from content.calendar import CalendarEntry, CalendarFilter, entries
from content.models import Channel, Delivery, DeliveryState, Department, EditorialState, Post
from content.observances import Occurrence
from content.timeutil import as_utc
from content.workflow import DELIVERY_STATE_WORDS, state_label

CRLF = "\r\n"
LINE_OCTETS = 75  # RFC 5545 3.1: lines longer than this are folded
PRODID = "-//Loa//Lich dang bai ASEAN - ASEAN publishing calendar//VI"
DEFAULT_DURATION = timedelta(minutes=15)  # a post goes out at a moment; clients need a length
DEFAULT_REFRESH = timedelta(hours=1)
DAYS_BACK, DAYS_AHEAD = 30, 180
POST_PATH = "/posts/{post_id}"

E, D = EditorialState, DeliveryState
# Drafts and rejected posts are nobody's schedule yet; cancelled ones stay in the feed so that
# subscribed clients learn of the cancellation instead of keeping a stale event forever.
FEED_POST_STATES = (E.in_review, E.approved, E.cancelled)
# Deliveries that did not (or may not) go out: the summary says so, since a phone's calendar
# shows little more than the summary.
TROUBLE = frozenset({D.failed, D.missed, D.needs_review})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # TEXT may not hold controls but HTAB


@dataclass(frozen=True)
class FeedEvent:
    """One delivery as the feed shows it: plain values, labels already chosen."""

    delivery_id: int
    post_id: int
    channel_id: str
    due_at: datetime  # aware
    title: str
    post_state: str
    delivery_state: str
    department_code: str
    topic: str
    pillar: str | None = None
    channel_name: str = ""
    department_name: str = ""
    topic_name: str = ""
    public_url: str | None = None  # the platform's address of the post, once published


@dataclass(frozen=True)
class Labels:
    """Names for codes: channels and departments come from the database, topics from config."""

    channels: Mapping[str, str] | None = None
    departments: Mapping[str, str] | None = None
    topics: Mapping[str, str] | None = None


def events_from_entries(
    found: Iterable[CalendarEntry],
    public_urls: Mapping[int, str] | None = None,
    labels: Labels = Labels(),
) -> list[FeedEvent]:
    """Calendar entries (content.calendar.entries) as feed events; `public_urls` by delivery id."""
    urls, channels = public_urls or {}, labels.channels or {}
    departments, topics = labels.departments or {}, labels.topics or {}
    return [
        FeedEvent(
            delivery_id=entry.delivery_id,
            post_id=entry.post_id,
            channel_id=entry.channel_id,
            due_at=entry.due_at,
            title=entry.title,
            post_state=entry.post_state,
            delivery_state=entry.delivery_state,
            department_code=entry.department_code,
            topic=entry.topic,
            pillar=entry.pillar,
            channel_name=channels.get(entry.channel_id, ""),
            department_name=departments.get(entry.department_code, ""),
            topic_name=topics.get(entry.topic, ""),
            public_url=urls.get(entry.delivery_id),
        )
        for entry in found
    ]


def feed_window(
    now: datetime, days_back: int = DAYS_BACK, days_ahead: int = DAYS_AHEAD
) -> tuple[datetime, datetime]:
    """What a feed holds: recent history (what went out) and the months ahead."""
    return as_utc(now) - timedelta(days=days_back), as_utc(now) + timedelta(days=days_ahead)


def feed_entries(
    session: Session,
    now: datetime,
    *,
    department: str | None = None,
    channel: str | None = None,
    topics: Mapping[str, str] | None = None,
    days_back: int = DAYS_BACK,
    days_ahead: int = DAYS_AHEAD,
) -> list[FeedEvent]:
    """The feed of everything (no scope), one department's posts or one channel's deliveries.

    The calendar's own query chooses the rows, so the feed and the calendar pages agree; two
    small queries add the names and the public links. `topics` maps topic codes to names.
    """
    start, end = feed_window(now, days_back, days_ahead)
    where = CalendarFilter(
        departments=[department] if department else (),
        channels=[channel] if channel else (),
        post_states=FEED_POST_STATES,
        include_cancelled=True,
    )
    found = entries(session, start, end, where)
    connection = session.connection()
    published = (
        select(col(Delivery.id), col(Delivery.remote_url))
        .join(Post, col(Post.id) == col(Delivery.post_id))
        .where(
            col(Delivery.state) == D.published,
            col(Delivery.remote_url).is_not(None),
            col(Delivery.due_at) >= start,
            col(Delivery.due_at) < end,
        )
    )
    if department:
        published = published.where(col(Post.department_code) == department)
    if channel:
        published = published.where(col(Delivery.channel_id) == channel)
    urls = {row[0]: row[1] for row in connection.execute(published) if row[0] and row[1]}
    channel_names = {
        str(row[0]): str(row[1] or row[0])
        for row in connection.execute(select(col(Channel.id), col(Channel.name)))
    }
    department_names = {
        str(row[0]): str(row[1])
        for row in connection.execute(select(col(Department.code), col(Department.name_vi)))
    }
    labels = Labels(channel_names, department_names, topics)
    return events_from_entries(found, urls, labels)


# --- the feed -------------------------------------------------------------------------------


def render_feed(
    events: Sequence[FeedEvent],
    *,
    name: str,
    timezone: str,
    base_url: str,
    now: datetime,
    observances: Sequence[Occurrence] = (),
    description: str = "",
    refresh: timedelta = DEFAULT_REFRESH,
    duration: timedelta = DEFAULT_DURATION,
    post_path: str = POST_PATH,
    uid_domain: str = "loa",
) -> str:
    """The feed text: CRLF line endings, folded at 75 octets, ending with a CRLF.

    `base_url` is where Loa's pages are (https://loa.example.vn): each event links to its post
    there (`post_path`). `now` is the DTSTAMP of every event. `observances` become all-day
    events in the background (transparent: they do not make anyone busy).
    """
    stamp = _utc(now)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{escape_text(name)}",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"X-WR-TIMEZONE:{escape_text(timezone)}",
    ]
    if description:
        lines.append(f"X-WR-CALDESC:{escape_text(description)}")
    lines += [
        f"REFRESH-INTERVAL;VALUE=DURATION:{duration_text(refresh)}",
        f"X-PUBLISHED-TTL:{duration_text(refresh)}",
    ]
    root = base_url.rstrip("/")
    for event in events:
        lines += _vevent(event, stamp, root, duration, post_path, uid_domain)
    for occurrence in observances:
        lines += _observance(occurrence, stamp, uid_domain)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)


def _vevent(
    event: FeedEvent,
    stamp: str,
    root: str,
    duration: timedelta,
    post_path: str,
    uid_domain: str,
) -> list[str]:
    categories = [f"Chủ đề {event.topic} / Topic {event.topic}"]
    if event.pillar:
        categories.append(event.pillar)
    return [
        "BEGIN:VEVENT",
        f"UID:delivery-{event.delivery_id}@{uid_domain}",
        f"DTSTAMP:{stamp}",
        f"DTSTART:{_utc(event.due_at)}",
        f"DURATION:{duration_text(duration)}",
        f"SUMMARY:{escape_text(summary(event))}",
        f"DESCRIPTION:{escape_text(details(event))}",
        f"URL:{root}{post_path.format(post_id=event.post_id)}",
        f"STATUS:{status(event)}",
        f"CATEGORIES:{','.join(escape_text(c) for c in categories)}",
        "TRANSP:TRANSPARENT",  # a post going out does not make the editor busy
        "END:VEVENT",
    ]


def _observance(occurrence: Occurrence, stamp: str, uid_domain: str) -> list[str]:
    day, observance = occurrence.date, occurrence.observance
    uid = f"observance-{day:%Y%m%d}-{observance.month:02d}{observance.day:02d}@{uid_domain}"
    text = f"{occurrence.label('vi')} / {occurrence.label('en')}"
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{escape_text(text)}",
        "STATUS:CONFIRMED",
        "CATEGORIES:" + escape_text("Ngày kỷ niệm ASEAN / ASEAN observance"),
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def status(event: FeedEvent) -> str:
    if event.post_state == E.cancelled or event.delivery_state == D.cancelled:
        return "CANCELLED"
    if event.post_state == E.approved:
        return "CONFIRMED"
    return "TENTATIVE"  # in review (or, if asked for, a draft): it may still change


def summary(event: FeedEvent) -> str:
    """The title and the channel, which is all a phone shows; troubles are marked first."""
    text = f"{' '.join(event.title.split())} · {event.channel_name or event.channel_id}"
    if event.delivery_state in TROUBLE:
        vi, en = DELIVERY_STATE_WORDS[event.delivery_state]
        text = f"[{vi} / {en}] {text}"
    return text


def details(event: FeedEvent) -> str:
    vi, en = DELIVERY_STATE_WORDS.get(event.delivery_state, (event.delivery_state,) * 2)
    post_vi, post_en = state_label(event.post_state, "vi"), state_label(event.post_state, "en")
    department = event.department_name or event.department_code
    topic = f"{event.topic} - {event.topic_name}" if event.topic_name else event.topic
    lines = [
        f"Trạng thái / State: {post_vi} · {vi} / {post_en} · {en}",
        f"Kênh / Channel: {event.channel_name or event.channel_id} ({event.channel_id})",
        f"Đơn vị / Department: {department}",
        f"Chủ đề / Topic: {topic}" + (f" · {event.pillar}" if event.pillar else ""),
    ]
    if event.public_url and event.delivery_state == D.published:
        lines.append(f"Đã đăng tại / Published at: {event.public_url}")
    return "\n".join(lines)


# --- RFC 5545 text --------------------------------------------------------------------------


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newline escaped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character.

    Continuation lines start with one space, which counts towards their 75 octets."""
    if len(line.encode("utf-8")) <= LINE_OCTETS:
        return line
    parts: list[str] = []
    current: list[str] = []
    size, limit = 0, LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, LINE_OCTETS - 1
        current.append(char)
        size += width
    parts.append("".join(current))
    return (CRLF + " ").join(parts)


def duration_text(value: timedelta) -> str:
    """A DURATION value such as PT15M or P1DT2H (whole seconds)."""
    seconds = int(value.total_seconds())
    if seconds <= 0:
        raise ValueError("a duration must be positive")
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    clock = "".join(
        f"{amount}{unit}"
        for amount, unit in ((hours, "H"), (minutes, "M"), (seconds, "S"))
        if amount
    )
    return f"P{f'{days}D' if days else ''}{'T' + clock if clock else ''}"


def _utc(value: datetime) -> str:
    return as_utc(value).strftime("%Y%m%dT%H%M%SZ")

"""What the command line prints: calendars, post details and lists, Vietnamese first.

Plain functions from data to lines of text, so they are easy to test and the CLI stays thin.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from content.calendar import CalendarEntry, by_local_day
from content.labels import channel_label
from content.models import Post
from content.posts import PostDetail
from content.reasons import reason_text
from content.timeutil import format_local
from content.workflow import delivery_state_words, state_label

WEEKDAYS = {
    "vi": ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
TITLE_WIDTH = 56
# A channel's name in a calendar column is cut to this, as in the demo's event lines:
# "Facebook · Du lịch Huế - Visit Hue" fits; the whole name and its id follow the days.
CHANNEL_WIDTH = 34


def words(lang: str, vi: str, en: str) -> str:
    return vi if lang == "vi" else en


def delivery_label(state: str, lang: str) -> str:
    return delivery_state_words(state, lang)


def channel_names(channels: Iterable[Any], lang: str) -> dict[str, str]:
    """The configured channels (config.yaml's `channels:`) as people know them, by id."""
    return {c.id: channel_label(c.type, c.name or c.id, lang) for c in channels}


def channel_line(channel_id: str, channels: Mapping[str, str]) -> str:
    """ "Trang web · Sở Du lịch (web-sdl)": the name people know, with the id commands take;
    the id alone for a channel config.yaml no longer has."""
    name = channels.get(channel_id)
    return f"{name} ({channel_id})" if name else channel_id


def _channel_cell(channel_id: str, channels: Mapping[str, str] | None) -> str:
    if channels is None:
        return channel_id
    return shorten(channels.get(channel_id, channel_id), CHANNEL_WIDTH)


def day_heading(day: date, lang: str) -> str:
    return f"{WEEKDAYS[lang][day.weekday()]}, {day:%d/%m/%Y}"


def shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def calendar_lines(
    entries: Sequence[CalendarEntry],
    tz: tzinfo,
    lang: str,
    heading: str,
    days: Iterable[date] | None = None,
    channels: Mapping[str, str] | None = None,
) -> list[str]:
    """Day by day; with `days`, empty days are shown too so gaps in the plan are visible.

    With `channels` (channel_names), each delivery names its channel as people know it, cut to
    fit a column; the channels met are then listed whole, each with the id `--channel` takes."""
    grouped = by_local_day(list(entries), tz)
    lines = [heading, "=" * len(heading)]
    shown = {
        channel_id: _channel_cell(channel_id, channels)
        for channel_id in sorted({e.channel_id for e in entries})
    }
    channel_width = max((len(cell) for cell in shown.values()), default=10)
    for day in days if days is not None else sorted(grouped):
        found = grouped.get(day, [])
        lines.append("")
        lines.append(day_heading(day, lang))
        if not found:
            lines.append("  " + words(lang, "(không có bài)", "(nothing planned)"))
        for entry in found:
            state = state_label(entry.post_state, lang)
            state += " · " + delivery_label(entry.delivery_state, lang)
            title = shorten(entry.title, TITLE_WIDTH)
            lines.append(
                f"  {format_local(entry.due_at, tz, '%H:%M')}"
                f"  {shown[entry.channel_id]:<{channel_width}}"
                f"  #{entry.post_id:<5} {title:<{TITLE_WIDTH}}  [{state}]"
            )
    if channels is not None and shown:
        lines += ["", words(lang, "Kênh:", "Channels:")]
        lines += [f"  {channel_line(channel_id, channels)}" for channel_id in shown]
    total = len(entries)
    posts = len({e.post_id for e in entries})
    lines.append("")
    lines.append(
        words(
            lang,
            f"Tổng: {posts} bài, {total} lượt đăng.",
            f"Total: {posts} posts, {total} deliveries.",
        )
    )
    return lines


@dataclass(frozen=True)
class Names:
    """What config.yaml calls a department, topic or pillar, in both languages, by code."""

    departments: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    topics: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    pillars: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def of(self, table: Mapping[str, tuple[str, str]], code: str | None, lang: str) -> str:
        """ "Sở Du lịch (SDL)": the name people know, with the code commands take."""
        if not code:
            return "-"
        pair = table.get(code)
        return f"{words(lang, *pair)} ({code})" if pair else code


def post_lines(
    detail: PostDetail,
    tz: tzinfo,
    lang: str,
    usernames: dict[int, str],
    names: Names | None = None,
    channels: Mapping[str, str] | None = None,
) -> list[str]:
    """`channels` (channel_names): each delivery's channel by the name people know, with its
    id; without it, the id alone."""
    post = detail.post
    known = names or Names()

    def w(vi: str, en: str) -> str:
        return words(lang, vi, en)

    when = format_local(post.scheduled_at, tz) or w("(chưa đặt)", "(not set)")
    lines = [
        f"#{post.id}  {post.title}",
        f"  {w('Trạng thái', 'State')}: {state_label(post.state, lang)}  (v{post.version})",
        f"  {w('Giờ đăng', 'Time')}: {when}",
        f"  {w('Đơn vị', 'Department')}: {known.of(known.departments, post.department_code, lang)}",
        f"  {w('Chủ đề', 'Topic')}: {known.of(known.topics, post.topic, lang)}   "
        f"{w('Trụ cột', 'Pillar')}: {known.of(known.pillars, post.pillar, lang)}",
        f"  {w('Người viết', 'Author')}: {usernames.get(post.author_id, post.author_id)}",
    ]
    if post.link:
        lines.append(f"  {w('Liên kết', 'Link')}: {post.link}")
    if post.hashtags:
        lines.append("  Hashtag: " + " ".join(f"#{tag}" for tag in post.hashtags))
    if post.review_comment:
        lines.append(f"  {w('Góp ý duyệt', 'Review comment')}: {post.review_comment}")
    if post.body:
        lines.append("")
        for paragraph in post.body.splitlines():
            lines += textwrap.wrap(paragraph, 96, initial_indent="  ", subsequent_indent="  ") or [
                ""
            ]
    if detail.media:
        lines += ["", w("Tệp đính kèm:", "Media:")]
        for media, link in detail.media:
            alt = link.alt_text if link.alt_text is not None else media.alt_text
            size = f" {media.width}×{media.height}" if media.width else ""
            kind = w("ảnh", "image") if media.kind == "image" else w("video", "video")
            name = media.original_name or media.sha256[:12]
            lines.append(f"  {kind} {name} ({media.mime}{size})  {alt}")
    lines += ["", w("Kênh:", "Channels:")]
    labels = {
        d.channel_id: channel_line(d.channel_id, channels) if channels else d.channel_id
        for d in detail.deliveries
    }
    width = max([16, *(len(label) for label in labels.values())])
    for delivery in detail.deliveries:
        extra = delivery.remote_url or reason_text(delivery.last_error, lang)
        lines.append(
            f"  {labels[delivery.channel_id]:<{width}} {delivery_label(delivery.state, lang):<14}"
            f" {format_local(delivery.due_at, tz)}  {extra}".rstrip()
        )
        for name, value in delivery.overrides.items():
            lines.append(f"      {name} = {value}")
    lines += ["", w("Lịch sử:", "History:")]
    for event in detail.events:
        lines.append(
            f"  {format_local(event.at, tz, '%Y-%m-%d %H:%M:%S')}  {event.actor:<12} {event.action}"
            + _event_detail(event.detail)
        )
    return lines


def _event_detail(detail: dict[str, object]) -> str:
    parts = []
    state = detail.get("state")
    if isinstance(state, list) and len(state) == 2:
        parts.append(f"{state[0]} → {state[1]}")
    changes = detail.get("changes")
    if isinstance(changes, dict):
        parts.append(", ".join(sorted(changes)))
    for key in ("comment", "reason", "source"):
        if detail.get(key):
            parts.append(f"{key}: {detail[key]}")
    return ("  " + "; ".join(parts)) if parts else ""


def post_list_lines(
    rows: Sequence[tuple[Post, list[str]]],
    tz: tzinfo,
    lang: str,
    names: Names | None = None,
    channels: Mapping[str, str] | None = None,
) -> list[str]:
    """Each post on its own lines: time, state and department, then its title, then one line
    per channel by the name people know (with the id `--channel` takes)."""
    if not rows:
        return [words(lang, "Không có bài nào.", "No posts.")]
    known = names or Names()
    shown = channels or {}
    header = words(
        lang,
        "  ID  Giờ đăng          Trạng thái   Đơn vị",
        "  ID  Time              State        Department",
    )
    lines = [header]
    for post, channel_ids in rows:
        lines.append(
            f"{post.id:>4}  {format_local(post.scheduled_at, tz) or '-':<16}  "
            f"{state_label(post.state, lang):<11}  "
            f"{known.of(known.departments, post.department_code, lang)}"
        )
        lines.append(f"      {shorten(post.title, 90)}")
        for channel_id in channel_ids:
            lines.append(f"      → {channel_line(channel_id, shown)}")
    return lines


def local_date_range(start: datetime, end: datetime, tz: tzinfo) -> list[date]:
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    return [date.fromordinal(ordinal) for ordinal in range(first.toordinal(), last.toordinal())]

"""The calendar's entries: one per post (per day, or per hour slot), its channels as badges.

A busy month holds thousands of deliveries but a few hundred posts; the page shows each post
once with a labelled badge per channel (the platform's name, a mark and words for the delivery
state), so channels are never told apart by colour alone. Everything here is built in one pass
over the plain tuples of `content.calendar.entries`, each label worked out once per distinct
value: nothing per delivery touches the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import NamedTuple

from content.calendar import CalendarEntry
from content.labels import platform_name
from content.models import (
    FINAL_DELIVERY_STATES,
    IN_FLIGHT_DELIVERY_STATES,
    DeliveryState,
    EditorialState,
)
from content.workflow import DELIVERY_STATE_WORDS, Actor, state_label
from web.services import ChannelDisplay

D, E = DeliveryState, EditorialState

# A mark per delivery state that does not rely on colour: a symbol, with the words beside it
# (or, in the compact views, in a title and for screen readers). Symbols that common fonts
# draw (DejaVu, Noto, Segoe UI), never emoji-only ones, which some machines show as boxes.
STATE_MARKS: dict[str, str] = {
    D.pending: "○",
    D.scheduled: "◷",
    D.claimed: "⇡",
    D.sending: "⇡",
    D.published: "✓",
    D.handed_over: "➚",
    D.reconciling: "⟳",
    D.needs_review: "⚠",
    D.failed: "✗",
    D.missed: "⊖",
    D.cancelled: "⊘",
}
# The post's own state, shown on entries that are not approved: a rejected post and one
# waiting for review must not look alike (the mark, the words and the style all differ).
POST_MARKS: dict[str, str] = {
    E.draft: "✎",
    E.in_review: "⚑",
    E.approved: "✔",
    E.rejected: "↩",
    E.cancelled: "⊘",
}
MOVABLE_POST_STATES = frozenset({E.draft, E.in_review, E.approved, E.rejected})
FIXED_DELIVERY_STATES = FINAL_DELIVERY_STATES | IN_FLIGHT_DELIVERY_STATES


class Badge(NamedTuple):
    """One channel of an entry: the platform's name, the channel's colour, the delivery state."""

    rank: int  # the channel's place in the configuration: badges sort by it
    channel_id: str
    platform: str  # "Facebook", "Zalo OA", "YouTube", "Trang web"
    channel_name: str  # the channel's own name ("Du lịch Huế - Visit Hue")
    css: str  # the channel's colour class
    state: str
    mark: str
    label: str  # the delivery state in words


@dataclass(slots=True)
class Entry:
    """One post on one day (month, list) or in one hour slot (week, day)."""

    post_id: int
    title: str
    day: date  # local
    time: str  # local "HH:MM" of its earliest delivery there
    hour: int
    post_state: str
    post_mark: str
    post_label: str  # the editorial state in words
    department: str
    topic: str
    pillar: str | None
    movable: bool
    first: bool  # the post's first entry on the page: the one offering the move form
    badges: list[Badge]


def state_words(state: str, lang: str) -> str:
    vi, en = DELIVERY_STATE_WORDS.get(state, (state, state))
    words = vi if lang == "vi" else en
    return words[:1].upper() + words[1:]


def may_move(actor: Actor, department: str, post_state: str) -> bool:
    """Whether the page offers to move this post; PostService.reschedule decides in the end.

    Officers move their own department's posts that are not approved yet: moving an approved
    post by an officer would send it back to review, which a drag should never do silently.
    """
    if post_state not in MOVABLE_POST_STATES:
        return False
    if actor.reviews:
        return True
    return actor.department_code == department and post_state != E.approved


def channel_classes(channels: Sequence[ChannelDisplay]) -> dict[str, str]:
    """A CSS class per channel (`ch-0`, `ch-1`...), coloured by /calendar/channels.css."""
    return {item.id: f"ch-{index}" for index, item in enumerate(channels)}


class Looks:
    """Every label of the page, each worked out once per distinct value."""

    def __init__(
        self,
        lang: str,
        actor: Actor,
        channels: Mapping[str, ChannelDisplay],
        css: Mapping[str, str],
    ) -> None:
        self.lang, self.actor, self.channels, self.css = lang, actor, channels, css
        self.words = {state: state_words(state, lang) for state in STATE_MARKS}
        self.post_words = {str(state): state_label(state, lang) for state in E}
        self.badges: dict[tuple[str, str], Badge] = {}
        self.moves: dict[tuple[str, str], bool] = {}
        self.order = {channel_id: index for index, channel_id in enumerate(channels)}

    def badge(self, channel_id: str, state: str) -> Badge:
        found = self.badges.get((channel_id, state))
        if found is None:
            channel = self.channels.get(channel_id)
            name = (channel.name if channel else "") or channel_id
            found = self.badges[(channel_id, state)] = Badge(
                self.order.get(channel_id, len(self.order)),
                channel_id,
                platform_name(channel.type, self.lang) if channel else channel_id,
                name,
                self.css.get(channel_id, "ch-x"),
                state,
                STATE_MARKS.get(state, "•"),
                self.words.get(state, state),
            )
        return found

    def may_move(self, department: str, post_state: str) -> bool:
        found = self.moves.get((department, post_state))
        if found is None:
            found = self.moves[(department, post_state)] = may_move(
                self.actor, department, post_state
            )
        return found


@dataclass
class Grouped:
    entries: list[Entry]  # in time order
    by_day: dict[date, list[Entry]]
    more: dict[date, int]  # posts of a day left out by the limit: "+N bài nữa"


def entries_of(
    found: Sequence[CalendarEntry],
    *,
    tz: tzinfo,
    looks: Looks,
    per_hour: bool,
    day_limit: int | None = None,
) -> Grouped:
    """The deliveries (ordered by time) as entries, and the same entries by local day.

    One entry per post and local day, or per post and hour slot when `per_hour`; an entry's
    time is its earliest delivery's there. With `day_limit`, a day holds that many entries and
    only counts the posts after them (the month grid: 2,000 posts become about a hundred
    entries, and the rest is never built). An entry moves only as a whole: it is draggable when
    the actor may move the post and none of its deliveries is published, final or in flight
    (a post being published on one channel cannot move on any: PostService refuses it).
    """
    busy = {entry.post_id for entry in found if entry.delivery_state in IN_FLIGHT_DELIVERY_STATES}
    times: dict[datetime, tuple[date, str, int]] = {}
    # Per day, the entries by post (and hour: post * 24 + hour), as ints rather than a tuple a
    # row: fewer objects, fewer garbage collections while a month of thousands is read.
    grouped: dict[date, dict[int, Entry]] = {}
    left_out: dict[date, set[int]] = {}
    by_day: dict[date, list[Entry]] = {}
    shown: list[Entry] = []
    seen_posts: set[int] = set()
    badges = looks.badges
    limit = day_limit if day_limit is not None else -1
    for post_id, _, channel_id, due_at, title, p_state, d_state, dept, topic, pillar in found:
        local = times.get(due_at)
        if local is None:
            at = due_at.astimezone(tz)
            local = times[due_at] = (at.date(), f"{at:%H:%M}", at.hour)
            if local[0] not in grouped:
                grouped[local[0]], left_out[local[0]], by_day[local[0]] = {}, set(), []
        day = local[0]
        key = post_id * 24 + local[2] if per_hour else post_id
        entry = grouped[day].get(key)
        if entry is None:
            if key in left_out[day]:
                continue
            on_day = by_day[day]
            if len(on_day) == limit:
                left_out[day].add(key)
                continue
            entry = grouped[day][key] = Entry(
                post_id,
                title,
                day,
                local[1],
                local[2],
                p_state,
                POST_MARKS.get(p_state, "•"),
                looks.post_words.get(p_state, p_state),
                dept,
                topic,
                pillar,
                looks.may_move(dept, p_state) and post_id not in busy,
                post_id not in seen_posts,
                [],
            )
            seen_posts.add(post_id)
            shown.append(entry)
            on_day.append(entry)
        if d_state in FIXED_DELIVERY_STATES:
            entry.movable = False
        entry.badges.append(badges.get((channel_id, d_state)) or looks.badge(channel_id, d_state))
    for entry in shown:
        if len(entry.badges) > 1:  # the channels in one order everywhere (the legend's): rank
            entry.badges.sort()
    more = {day: len(posts) for day, posts in left_out.items() if posts}
    return Grouped(shown, by_day, more)


@dataclass(frozen=True)
class LegendChannel:
    css: str
    platform: str
    name: str


def legend_channels(
    channels: Sequence[ChannelDisplay], css: Mapping[str, str], shown: set[str], lang: str
) -> list[LegendChannel]:
    """The channels of the legend, in the colours' order: those the person may see."""
    return [
        LegendChannel(css[item.id], platform_name(item.type, lang), item.name or item.id)
        for item in channels
        if item.id in shown
    ]

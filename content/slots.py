"""Posting slots: the regular times a channel publishes, such as "mon-fri 08:00".

A slot is a set of weekdays and a wall-clock time in the configured zone; slot times are
computed in that zone and converted to UTC, so "08:00" stays 08:00 across DST changes.

Several channels rarely share a slot (Facebook at 09:00, the website at 07:30, Zalo at 08:00),
and a post has one time for all its channels (every delivery's due time is the post's). So
`plan_slot` looks for one time in three steps, the first that finds one wins:

1. "shared": a free slot of every channel at the same time;
2. "near": the earliest time at which every channel has a free slot within `tolerance`
   (the post stands in for that slot, which then counts as taken);
3. "gap": the earliest slot time of any channel at which each other channel has no post
   closer than its `min_gap`.

A channel with a daily cap takes no post, by any of the three, on a local day that already has
that many of its posts. The gap and the cap are each channel's own (`Spacing`, read from
`settings.min_gap_minutes` and `settings.daily_cap` in config.yaml); the defaults apply where
a channel sets neither.

A busy time takes the slot of its channel nearest to it (within `tolerance`), so a post placed
near a slot keeps the next one from taking that slot again.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Literal

from content.timeutil import as_utc

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SLOT_SHAPE = re.compile(r"^\s*(?P<days>[a-z,\-]+)\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})\s*$")
DEFAULT_TOLERANCE = timedelta(minutes=60)  # a slot "near" the chosen time stands in for it
DEFAULT_MIN_GAP = timedelta(hours=2)  # between two posts of one channel placed off its slots
SLOT_EXAMPLE = 'write a slot as "mon-fri 08:00", "sat 09:00", "daily 12:00" or "mon,wed 10:30"'


MIN_GAP_KEY, DAILY_CAP_KEY = "min_gap_minutes", "daily_cap"  # a channel's settings
MAX_GAP_MINUTES = 7 * 24 * 60  # a wider gap would leave most of the 60-day search empty


class SlotError(ValueError):
    pass


@dataclass(frozen=True)
class Spacing:
    """How far apart one channel's posts must be, and how many it takes a day (None: any)."""

    min_gap: timedelta = DEFAULT_MIN_GAP
    daily_cap: int | None = None


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def spacing_of(settings: Mapping[str, Any]) -> Spacing:
    """A channel's spacing from its settings; a value `spacing_problems` would refuse (config.yaml
    is checked on loading, so only a database row changed since has one) counts as unset."""
    gap, cap = _whole(settings.get(MIN_GAP_KEY)), _whole(settings.get(DAILY_CAP_KEY))
    return Spacing(
        timedelta(minutes=gap)
        if gap is not None and 0 <= gap <= MAX_GAP_MINUTES
        else DEFAULT_MIN_GAP,
        cap if cap is not None and cap >= 1 else None,
    )


def spacing_problems(settings: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(key, Vietnamese, English) for each spacing setting that cannot be used."""
    found = []
    if MIN_GAP_KEY in settings:
        gap = _whole(settings[MIN_GAP_KEY])
        if gap is None or not 0 <= gap <= MAX_GAP_MINUTES:
            found.append(
                (
                    MIN_GAP_KEY,
                    f"khoảng cách tối thiểu giữa hai bài phải là số phút nguyên từ 0 đến"
                    f" {MAX_GAP_MINUTES} (7 ngày), không phải {settings[MIN_GAP_KEY]!r}",
                    f"the least gap between two posts must be whole minutes from 0 to"
                    f" {MAX_GAP_MINUTES} (7 days), not {settings[MIN_GAP_KEY]!r}",
                )
            )
    if DAILY_CAP_KEY in settings:
        cap = _whole(settings[DAILY_CAP_KEY])
        if cap is None or cap < 1:
            found.append(
                (
                    DAILY_CAP_KEY,
                    f"số bài tối đa mỗi ngày phải là số nguyên từ 1 trở lên (bỏ khóa này nếu"
                    f" không giới hạn), không phải {settings[DAILY_CAP_KEY]!r}",
                    f"the most posts a day must be a whole number from 1 up (leave the key out"
                    f" for no cap), not {settings[DAILY_CAP_KEY]!r}",
                )
            )
    return found


@dataclass(frozen=True)
class Slot:
    weekdays: frozenset[int]  # 0 = Monday
    at: time

    def occurs_on(self, day: date) -> bool:
        return day.weekday() in self.weekdays


def parse_slot(text: str) -> Slot:
    match = SLOT_SHAPE.match(text.lower())
    if not match:
        raise SlotError(f"cannot read slot {text!r}; {SLOT_EXAMPLE}")
    hour, minute = int(match["hour"]), int(match["minute"])
    if hour > 23 or minute > 59:
        raise SlotError(f"slot {text!r} has no such time of day; {SLOT_EXAMPLE}")
    return Slot(_parse_days(match["days"], text), time(hour, minute))


def _parse_days(spec: str, text: str) -> frozenset[int]:
    if spec == "daily":
        return frozenset(range(7))
    days: set[int] = set()
    for part in spec.split(","):
        first, dash, last = part.partition("-")
        if first not in DAYS or (dash and last not in DAYS):
            raise SlotError(
                f"slot {text!r}: unknown day {part!r} (days are {', '.join(DAYS)}); {SLOT_EXAMPLE}"
            )
        start, end = DAYS.index(first), DAYS.index(last or first)
        span = range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)]
        days.update(span)
    return frozenset(days)


def slot_times(slots: Iterable[Slot], after: datetime, tz: tzinfo, days: int) -> Iterator[datetime]:
    """Every slot time strictly after `after`, in order, for `days` days, as aware UTC."""
    after = as_utc(after)
    first_day = after.astimezone(tz).date()
    ordered = sorted(slots, key=lambda slot: slot.at)
    for offset in range(days + 1):
        day = first_day + timedelta(days=offset)
        seen: set[datetime] = set()
        for slot in ordered:
            if not slot.occurs_on(day):
                continue
            moment = as_utc(datetime.combine(day, slot.at, tzinfo=tz))
            if moment > after and moment not in seen:
                seen.add(moment)
                yield moment


Fit = Literal["slot", "near", "gap"]


@dataclass(frozen=True)
class ChannelFit:
    """Why the chosen time suits one channel."""

    channel_id: str
    fit: Fit  # "slot": one of its slots; "near": a slot within the tolerance; "gap": neither
    slot: datetime | None  # the channel's own slot the post takes ("slot" and "near")
    previous: datetime | None  # the channel's latest other post before the time, if any
    min_gap: timedelta = DEFAULT_MIN_GAP  # the channel's own gap, kept where it is "gap"


@dataclass(frozen=True)
class SlotPlan:
    at: datetime  # aware UTC
    fits: tuple[ChannelFit, ...]
    tolerance: timedelta
    min_gap: timedelta  # the narrowest of the channels' gaps: each kept at least this much

    @property
    def rule(self) -> Literal["shared", "near", "gap"]:
        kinds = {fit.fit for fit in self.fits}
        if kinds <= {"slot"}:
            return "shared"
        return "near" if "gap" not in kinds else "gap"


@dataclass
class _Channel:
    """One channel's free slots and posts, sorted, for the search."""

    channel_id: str
    free: list[datetime]
    busy: list[datetime]
    spacing: Spacing

    def nearest_free(self, moment: datetime, within: timedelta) -> datetime | None:
        return _nearest(self.free, moment, within)

    def busy_within(self, moment: datetime, within: timedelta) -> bool:
        found = _nearest(self.busy, moment, within)
        return found is not None and abs(found - moment) < within

    def previous(self, moment: datetime) -> datetime | None:
        index = bisect.bisect_left(self.busy, moment)
        return self.busy[index - 1] if index else None

    def full_on(self, moment: datetime, tz: tzinfo) -> bool:
        """Whether the local day of `moment` already has the channel's daily cap of posts."""
        cap = self.spacing.daily_cap
        if cap is None:
            return False
        day = moment.astimezone(tz).date()
        return sum(1 for b in self.busy if b.astimezone(tz).date() == day) >= cap


def _nearest(ordered: Sequence[datetime], moment: datetime, within: timedelta) -> datetime | None:
    """The item of `ordered` closest to `moment` and at most `within` away (the earlier on ties)."""
    index = bisect.bisect_left(ordered, moment)
    around = [ordered[i] for i in (index - 1, index) if 0 <= i < len(ordered)]
    close = [item for item in around if abs(item - moment) <= within]
    return min(close, key=lambda item: (abs(item - moment), item)) if close else None


def _prepare(
    channel_id: str,
    slots: list[Slot],
    busy: Iterable[datetime],
    after: datetime,
    tz: tzinfo,
    days: int,
    tolerance: timedelta,
    spacing: Spacing,
) -> _Channel:
    times = list(slot_times(slots, after - tolerance - timedelta(days=1), tz, days + 2))
    taken = sorted(as_utc(moment) for moment in busy)
    claimed = {_nearest(times, moment, tolerance) for moment in taken}
    return _Channel(channel_id, [t for t in times if t not in claimed], taken, spacing)


def plan_slot(
    slots_by_channel: Mapping[str, list[Slot]],
    busy: Mapping[str, set[datetime]],
    after: datetime,
    tz: tzinfo,
    horizon_days: int = 60,
    *,
    tolerance: timedelta = DEFAULT_TOLERANCE,
    spacing: Mapping[str, Spacing] | None = None,
) -> SlotPlan | None:
    """One time for a post on every channel of `slots_by_channel`, strictly after `after` and
    within `horizon_days`, with why it suits each channel (see the module docstring). `busy`
    may hold posts before `after` too: they count for the gap and the day's cap."""
    after = as_utc(after)
    spacing = spacing or {}
    channels = [
        _prepare(
            cid, slots, busy.get(cid, set()), after, tz, horizon_days, tolerance,
            spacing.get(cid, Spacing()),
        )
        for cid, slots in slots_by_channel.items()
    ]  # fmt: skip
    if not channels:
        return None
    end = after + timedelta(days=horizon_days)
    candidates = sorted({t for c in channels for t in c.free if after < t <= end})
    narrowest = min(c.spacing.min_gap for c in channels)
    for allow_gap in (False, True):
        for moment in candidates:
            fits = [_fit(c, moment, tolerance, allow_gap, tz) for c in channels]
            if all(fit is not None for fit in fits):
                chosen = tuple(fit for fit in fits if fit is not None)
                return SlotPlan(moment, chosen, tolerance, narrowest)
    return None


def _fit(
    channel: _Channel, moment: datetime, tolerance: timedelta, allow_gap: bool, tz: tzinfo
) -> ChannelFit | None:
    if channel.full_on(moment, tz):
        return None
    previous, gap = channel.previous(moment), channel.spacing.min_gap
    slot = channel.nearest_free(moment, tolerance)
    if slot == moment:
        return ChannelFit(channel.channel_id, "slot", slot, previous, gap)
    if slot is not None and not channel.busy_within(moment, tolerance):
        return ChannelFit(channel.channel_id, "near", slot, previous, gap)
    if not allow_gap or channel.busy_within(moment, gap):
        return None
    return ChannelFit(channel.channel_id, "gap", None, previous, gap)


def next_free_slot(
    slots_by_channel: Mapping[str, list[Slot]],
    busy: Mapping[str, set[datetime]],
    after: datetime,
    tz: tzinfo,
    horizon_days: int = 60,
    spacing: Mapping[str, Spacing] | None = None,
) -> datetime | None:
    """The time `plan_slot` chooses (content.slot_finder reads the busy times and spacing)."""
    plan = plan_slot(slots_by_channel, busy, after, tz, horizon_days, spacing=spacing)
    return plan.at if plan else None

"""Posting slots: the regular times a channel publishes, such as "mon-fri 08:00".

A slot is a set of weekdays and a wall-clock time in the configured zone; slot times are
computed in that zone and converted to UTC, so "08:00" stays 08:00 across DST changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from content.timeutil import as_utc

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SLOT_SHAPE = re.compile(r"^\s*(?P<days>[a-z,\-]+)\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})\s*$")
SLOT_EXAMPLE = 'write a slot as "mon-fri 08:00", "sat 09:00", "daily 12:00" or "mon,wed 10:30"'


class SlotError(ValueError):
    pass


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


def next_free_slot(
    slots_by_channel: Mapping[str, list[Slot]],
    busy: Mapping[str, set[datetime]],
    after: datetime,
    tz: tzinfo,
    horizon_days: int = 60,
) -> datetime | None:
    """The first time that is a slot of every channel and taken on none of them."""
    if not slots_by_channel or any(not slots for slots in slots_by_channel.values()):
        return None
    channels = list(slots_by_channel)
    first, others = channels[0], channels[1:]
    for moment in slot_times(slots_by_channel[first], after, tz, horizon_days):
        local_day = moment.astimezone(tz)
        if any(
            not _is_slot(slots_by_channel[channel], local_day.date(), local_day.time())
            for channel in others
        ):
            continue
        if all(moment not in busy.get(channel, set()) for channel in channels):
            return moment
    return None


def _is_slot(slots: list[Slot], day: date, at: time) -> bool:
    return any(slot.occurs_on(day) and slot.at == at.replace(tzinfo=None) for slot in slots)

"""One time for a post on several channels whose slots never coincide: a shared slot, else
slots near each other, else a time that keeps each channel's gap (content.slots.plan_slot)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from content.slots import (
    ChannelFit,
    SlotPlan,
    Spacing,
    parse_slot,
    plan_slot,
    spacing_of,
    spacing_problems,
)
from content.timeutil import format_local, zone

HUE = zone("Asia/Ho_Chi_Minh")
ZALO = [parse_slot("mon-fri 08:00"), parse_slot("mon-fri 19:30"), parse_slot("sat 09:00")]
FB = [parse_slot("daily 09:00"), parse_slot("daily 20:00")]
WEB = [parse_slot("mon-fri 07:30"), parse_slot("mon-fri 14:00")]
YT = [parse_slot("tue,thu 17:00")]
START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # Tue 08:00 in Hue


def hue(text: str) -> datetime:
    """'Wed 08:00' as aware UTC, in the week of START."""
    day, at = text.split()
    offset = ("Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Mon").index(day)
    hour, minute = (int(part) for part in at.split(":"))
    return datetime(2026, 12, 1 + offset, hour, minute, tzinfo=HUE).astimezone(UTC)


def shown(plan: SlotPlan | None) -> str:
    assert plan is not None
    return format_local(plan.at, HUE, "%a %H:%M")


def fits(plan: SlotPlan | None) -> dict[str, tuple[str, str | None]]:
    assert plan is not None
    return {
        fit.channel_id: (fit.fit, format_local(fit.slot, HUE, "%H:%M") if fit.slot else None)
        for fit in plan.fits
    }


def test_a_slot_every_channel_has_is_shared() -> None:
    plan = plan_slot({"fb": FB, "other": [parse_slot("daily 20:00")]}, {}, START, HUE)
    assert shown(plan) == "Tue 20:00" and plan is not None and plan.rule == "shared"
    assert fits(plan) == {"fb": ("slot", "20:00"), "other": ("slot", "20:00")}


def test_facebook_website_and_zalo_meet_at_the_first_time_near_a_slot_of_each() -> None:
    plan = plan_slot({"fb": FB, "web": WEB, "zalo": ZALO}, {}, START, HUE)
    # Tue 09:00 (Facebook) is 90 minutes from the website's 07:30; Wed 08:00 is Zalo's slot,
    # 30 minutes after the website's and an hour before Facebook's.
    assert shown(plan) == "Wed 08:00" and plan is not None and plan.rule == "near"
    assert fits(plan) == {
        "fb": ("near", "09:00"),
        "web": ("near", "07:30"),
        "zalo": ("slot", "08:00"),
    }
    assert plan.tolerance == timedelta(minutes=60)


def test_a_post_placed_near_a_slot_takes_that_slot() -> None:
    channels = {"fb": FB, "web": WEB, "zalo": ZALO}
    first = plan_slot(channels, {}, START, HUE)
    assert first is not None
    busy = {name: {first.at} for name in channels}
    second = plan_slot(channels, busy, START, HUE)
    assert shown(second) == "Thu 08:00"  # not Wed 07:30 or 09:00, stood in for on Wednesday
    web_alone = plan_slot({"web": WEB}, busy, START, HUE)
    assert shown(web_alone) == "Tue 14:00"  # the website's own free slots stay free
    after_wednesday = plan_slot({"web": WEB}, busy, hue("Tue 15:00"), HUE)
    assert shown(after_wednesday) == "Wed 14:00"  # Wed 07:30 is taken by the 08:00 post


def test_channels_never_near_each_other_keep_a_gap() -> None:
    plan = plan_slot({"zalo": ZALO, "yt": YT}, {}, START, HUE)
    assert shown(plan) == "Tue 17:00" and plan is not None and plan.rule == "gap"
    assert fits(plan) == {"zalo": ("gap", None), "yt": ("slot", "17:00")}
    assert all(fit.previous is None for fit in plan.fits)

    busy = {"zalo": {hue("Tue 16:00")}}  # an hour before YouTube's slot: closer than 2 hours
    plan = plan_slot({"zalo": ZALO, "yt": YT}, busy, START, HUE)
    assert shown(plan) == "Tue 19:30" and plan is not None
    zalo = next(fit for fit in plan.fits if fit.channel_id == "zalo")
    assert zalo == ChannelFit("zalo", "slot", hue("Tue 19:30"), hue("Tue 16:00"))


def test_each_channel_keeps_its_own_gap() -> None:
    busy = {"zalo": {hue("Tue 10:00")}}
    wide = plan_slot(
        {"zalo": ZALO, "yt": YT}, busy, START, HUE, spacing={"zalo": Spacing(timedelta(hours=8))}
    )
    assert shown(wide) == "Tue 19:30" and wide is not None  # 17:00 is 7 h after Zalo's post
    assert wide.min_gap == timedelta(hours=2)  # YouTube's, the narrowest: kept by every channel
    narrow = plan_slot(
        {"zalo": ZALO, "yt": YT}, busy, START, HUE, spacing={"zalo": Spacing(timedelta(hours=7))}
    )
    assert shown(narrow) == "Tue 17:00" and narrow is not None
    zalo = next(fit for fit in narrow.fits if fit.channel_id == "zalo")
    assert (zalo.fit, zalo.min_gap, zalo.previous) == ("gap", timedelta(hours=7), hue("Tue 10:00"))


def test_a_daily_cap_holds_on_and_off_the_channels_slots() -> None:
    busy = {"zalo": {hue("Tue 10:00")}}
    free = plan_slot({"zalo": ZALO, "yt": YT}, busy, START, HUE)
    assert shown(free) == "Tue 17:00"
    capped = plan_slot(
        {"zalo": ZALO, "yt": YT}, busy, START, HUE, spacing={"zalo": Spacing(daily_cap=1)}
    )
    # Tuesday has Zalo's one post: not at 17:00 off its slots, nor at its own 19:30 slot.
    assert shown(capped) == "Wed 08:00" and capped is not None
    assert fits(capped) == {"zalo": ("slot", "08:00"), "yt": ("gap", None)}
    two = plan_slot({"zalo": ZALO}, busy, START, HUE, spacing={"zalo": Spacing(daily_cap=2)})
    assert shown(two) == "Tue 19:30"


def test_posts_before_the_search_start_count_for_the_gap_and_the_cap() -> None:
    just_published = {"web": {hue("Tue 13:30")}}
    after = hue("Tue 13:40")
    plan = plan_slot({"web": WEB, "yt": YT}, just_published, after, HUE)
    assert shown(plan) == "Tue 17:00" and plan is not None
    assert next(f for f in plan.fits if f.channel_id == "web").previous == hue("Tue 13:30")
    capped = plan_slot(
        {"web": WEB}, just_published, after, HUE, spacing={"web": Spacing(daily_cap=1)}
    )
    assert shown(capped) == "Wed 07:30"


def test_spacing_is_read_from_a_channels_settings() -> None:
    assert spacing_of({}) == Spacing(timedelta(hours=2), None)
    assert spacing_of({"min_gap_minutes": 90, "daily_cap": 3}) == Spacing(timedelta(minutes=90), 3)
    assert spacing_of({"min_gap_minutes": 0}).min_gap == timedelta(0)
    # what config.yaml would refuse (a row changed since it was loaded) counts as unset
    assert spacing_of({"min_gap_minutes": "2h", "daily_cap": 0}) == Spacing()
    assert spacing_of({"min_gap_minutes": True, "daily_cap": 2.5}) == Spacing()


@pytest.mark.parametrize(
    ("settings", "keys"),
    [
        ({"min_gap_minutes": 120, "daily_cap": 3}, []),
        ({"min_gap_minutes": -5}, ["min_gap_minutes"]),
        ({"min_gap_minutes": "120"}, ["min_gap_minutes"]),
        ({"min_gap_minutes": 7 * 24 * 60 + 1}, ["min_gap_minutes"]),
        ({"daily_cap": 0}, ["daily_cap"]),
        ({"daily_cap": True, "min_gap_minutes": 1.5}, ["min_gap_minutes", "daily_cap"]),
    ],
)
def test_spacing_problems(settings: dict[str, object], keys: list[str]) -> None:
    found = spacing_problems(settings)
    assert [key for key, _, _ in found] == keys
    for _, vi, en in found:
        assert ("số phút" in vi or "số bài" in vi) and ("minutes" in en or "posts a day" in en)


def test_a_free_slot_near_the_time_is_not_enough_beside_another_post() -> None:
    morning = [parse_slot("daily 07:00"), parse_slot("daily 09:00")]
    busy = {"b": {hue("Tue 08:05")}}  # takes 09:00 (55 minutes away); 07:00 stays free
    plan = plan_slot({"a": [parse_slot("daily 08:00")], "b": morning}, busy, START, HUE)
    # Not today's 08:00 (a post at 08:05 beside it), but tomorrow's first slot of b, an hour
    # before a's 08:00.
    assert shown(plan) == "Wed 07:00"


def test_nothing_within_the_horizon_is_none() -> None:
    assert plan_slot({}, {}, START, HUE) is None
    assert plan_slot({"a": [], "b": []}, {}, START, HUE) is None
    every_slot = {"yt": {hue("Tue 17:00"), hue("Thu 17:00")}}
    assert plan_slot({"yt": YT}, every_slot, START, HUE, horizon_days=2) is None
    assert shown(plan_slot({"yt": YT}, every_slot, START, HUE, horizon_days=8)) == "Tue 17:00"


def test_the_composer_looks_as_far_ahead_as_the_post_services() -> None:
    from content import posts, slot_finder

    assert slot_finder.HORIZON_DAYS == posts.SLOT_HORIZON_DAYS

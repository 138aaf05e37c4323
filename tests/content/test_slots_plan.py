"""One time for a post on several channels whose slots never coincide: a shared slot, else
slots near each other, else a time that keeps each channel's gap (content.slots.plan_slot)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from content.slots import ChannelFit, SlotPlan, parse_slot, plan_slot
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


def test_the_gap_and_the_daily_cap_can_be_set() -> None:
    busy = {"zalo": {hue("Tue 10:00")}}
    wide = plan_slot({"zalo": ZALO, "yt": YT}, busy, START, HUE, min_gap=timedelta(hours=8))
    assert shown(wide) == "Tue 19:30"  # 17:00 is 7 hours after Zalo's 10:00 post
    capped = plan_slot({"zalo": ZALO, "yt": YT}, busy, START, HUE, daily_caps={"zalo": 1})
    assert shown(capped) == "Tue 19:30" and capped is not None
    assert fits(capped)["yt"] == ("gap", None)  # Zalo's own slot; YouTube has none then
    both = plan_slot({"zalo": ZALO, "yt": YT}, busy, START, HUE, daily_caps={"zalo": 1, "yt": 0})
    assert shown(both) == "Thu 17:00"  # YouTube may take no post off its slot on any day


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

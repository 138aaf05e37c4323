"""Posting slots: parsing, slot times in a zone (across DST too), and the next free slot,
alone and through PostService."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import pytest
from sqlmodel import func, select

from content.errors import InvalidInput
from content.models import Post
from content.posts import PostService
from content.slots import SlotError, next_free_slot, parse_slot, slot_times
from content.timeutil import NaiveDatetimeError, format_local, zone
from tests.factories import Clock, post_input

HUE = zone("Asia/Ho_Chi_Minh")
PARIS = zone("Europe/Paris")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

# The seeded slots (tests/factories.py), parsed.
ZALO = [parse_slot("mon-fri 08:00"), parse_slot("sat 09:00")]
FB = [parse_slot("daily 09:00"), parse_slot("daily 20:00")]
YT = [parse_slot("tue,thu 17:00")]
WEB = [parse_slot("mon-fri 07:30"), parse_slot("mon-fri 14:00")]

START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # the clock fixture: Tue 08:00 in Hue


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(moments: list[datetime], tz: Any = HUE) -> list[str]:
    return [format_local(moment, tz, "%a %Y-%m-%d %H:%M") for moment in moments]


# -- parse_slot -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days", "at"),
    [
        ("mon-fri 08:00", {MON, TUE, WED, THU, FRI}, time(8, 0)),
        ("sat 09:00", {SAT}, time(9, 0)),
        ("daily 12:00", set(range(7)), time(12, 0)),
        ("mon,wed 10:30", {MON, WED}, time(10, 30)),
        ("sat-mon 07:00", {SAT, SUN, MON}, time(7, 0)),  # wraps around the week
        ("fri-tue 7:05", {FRI, SAT, SUN, MON, TUE}, time(7, 5)),
        ("mon-wed,fri 19:30", {MON, TUE, WED, FRI}, time(19, 30)),
        ("sun-sun 00:00", {SUN}, time(0, 0)),
        ("thu-wed 23:59", set(range(7)), time(23, 59)),
        ("  MON-Fri 08:00  ", {MON, TUE, WED, THU, FRI}, time(8, 0)),
        ("tue,tue 08:00", {TUE}, time(8, 0)),
    ],
)
def test_parse_slot_reads_good_slots(text: str, days: set[int], at: time) -> None:
    slot = parse_slot(text)
    assert slot.weekdays == frozenset(days)
    assert slot.at == at


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("funday 08:00", "unknown day 'funday'"),
        ("mon-fry 08:00", "unknown day 'mon-fry'"),
        ("lundi 08:00", "unknown day"),
        ("mon,,fri 08:00", "unknown day ''"),
        ("-fri 08:00", "unknown day '-fri'"),
        ("mon-fri-sat 08:00", "unknown day"),
        ("daily,sat 08:00", "unknown day 'daily'"),
        ("mon-fri 24:00", "no such time of day"),
        ("mon-fri 08:60", "no such time of day"),
        ("mon-fri 99:99", "no such time of day"),
        ("mon-fri 8", "cannot read slot"),
        ("mon-fri 08h00", "cannot read slot"),
        ("mon-fri 08:00:00", "cannot read slot"),
        ("mon-fri 123:00", "cannot read slot"),
        ("mon - fri 08:00", "cannot read slot"),
        ("mon-fri", "cannot read slot"),
        ("08:00", "cannot read slot"),
        ("thứ hai 08:00", "cannot read slot"),
        ("", "cannot read slot"),
        ("every day at eight", "cannot read slot"),
    ],
)
def test_parse_slot_refuses_bad_slots(text: str, message: str) -> None:
    with pytest.raises(SlotError) as refused:
        parse_slot(text)
    assert message in str(refused.value)
    assert isinstance(refused.value, ValueError)
    if "cannot read" in message or "no such time" in message:
        assert 'write a slot as "mon-fri 08:00"' in str(refused.value)


def test_parse_slot_refuses_a_range_without_an_end() -> None:
    with pytest.raises(SlotError):
        parse_slot("mon- 08:00")


# -- slot_times -------------------------------------------------------------------------------


def test_slot_times_in_hue_are_strictly_after_and_in_order() -> None:
    moments = list(slot_times(ZALO, START, HUE, days=7))
    assert local(moments) == [
        # Tue 08:00 is *at* START, not after it.
        "Wed 2026-12-02 08:00",
        "Thu 2026-12-03 08:00",
        "Fri 2026-12-04 08:00",
        "Sat 2026-12-05 09:00",
        "Mon 2026-12-07 08:00",
        "Tue 2026-12-08 08:00",
    ]
    assert moments[0] == utc(2026, 12, 2, 1, 0)
    assert moments[3] == utc(2026, 12, 5, 2, 0)
    assert all(moment.tzinfo is UTC for moment in moments)
    assert moments == sorted(moments)


def test_slot_times_orders_slots_within_a_day_and_skips_duplicates() -> None:
    slots = [parse_slot("daily 20:00"), parse_slot("daily 09:00"), parse_slot("tue 09:00")]
    moments = list(slot_times(slots, START, HUE, days=1))
    assert local(moments) == [
        "Tue 2026-12-01 09:00",
        "Tue 2026-12-01 20:00",
        "Wed 2026-12-02 09:00",
        "Wed 2026-12-02 20:00",
    ]


def test_slot_times_accepts_any_aware_time_and_refuses_naive() -> None:
    in_hue = START.astimezone(HUE)
    assert list(slot_times(WEB, in_hue, HUE, 2)) == list(slot_times(WEB, START, HUE, 2))
    with pytest.raises(NaiveDatetimeError):
        list(slot_times(WEB, datetime(2026, 12, 1, 8, 0), HUE, 2))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("after", "expected_utc"),
    [
        # Spring forward on Sunday 2026-03-29: CET (+01) -> CEST (+02).
        (
            utc(2026, 3, 27, 0, 0),
            [
                utc(2026, 3, 27, 7, 0),
                utc(2026, 3, 28, 7, 0),
                utc(2026, 3, 29, 6, 0),
                utc(2026, 3, 30, 6, 0),
            ],
        ),
        # Fall back on Sunday 2026-10-25: CEST (+02) -> CET (+01).
        (
            utc(2026, 10, 23, 0, 0),
            [
                utc(2026, 10, 23, 6, 0),
                utc(2026, 10, 24, 6, 0),
                utc(2026, 10, 25, 7, 0),
                utc(2026, 10, 26, 7, 0),
            ],
        ),
    ],
)
def test_slot_times_keep_wall_clock_across_dst(
    after: datetime, expected_utc: list[datetime]
) -> None:
    moments = list(slot_times([parse_slot("daily 08:00")], after, PARIS, days=3))
    assert moments == expected_utc
    assert {format_local(moment, PARIS, "%H:%M") for moment in moments} == {"08:00"}


def test_slot_times_in_hue_have_no_dst() -> None:
    after = utc(2026, 3, 27, 0, 0)
    moments = list(slot_times([parse_slot("daily 08:00")], after, HUE, days=3))
    assert {moment.time() for moment in moments} == {time(1, 0)}


# -- next_free_slot ---------------------------------------------------------------------------


def test_next_free_slot_takes_the_first_slot() -> None:
    assert next_free_slot({"web": WEB}, {}, START, HUE) == utc(2026, 12, 1, 7, 0)  # 14:00


def test_next_free_slot_skips_busy_times() -> None:
    busy = {"web": {utc(2026, 12, 1, 7, 0), utc(2026, 12, 2, 0, 30)}}
    found = next_free_slot({"web": WEB}, busy, START, HUE)
    assert local([found]) == ["Wed 2026-12-02 14:00"]  # type: ignore[list-item]


def test_busy_times_of_other_channels_do_not_matter() -> None:
    busy = {"other": {utc(2026, 12, 1, 7, 0)}}
    assert next_free_slot({"web": WEB}, busy, START, HUE) == utc(2026, 12, 1, 7, 0)


@pytest.mark.parametrize("order", [("zalo", "fb"), ("fb", "zalo")])
def test_next_free_slot_of_several_channels_takes_a_slot_near_each(order: tuple[str, str]) -> None:
    slots = {"zalo": ZALO, "fb": FB}
    ordered = {name: slots[name] for name in order}
    found = next_free_slot(ordered, {}, START, HUE)
    # Facebook's 09:00 is an hour after Zalo's 08:00: near enough, the same in any order.
    assert local([found]) == ["Tue 2026-12-01 09:00"]  # type: ignore[list-item]
    busy_on_one = {"fb": {utc(2026, 12, 1, 2, 0)}}
    found = next_free_slot(ordered, busy_on_one, START, HUE)
    assert local([found]) == ["Wed 2026-12-02 08:00"]  # type: ignore[list-item]


def test_next_free_slot_returns_none_when_there_is_none() -> None:
    assert next_free_slot({}, {}, START, HUE) is None
    assert next_free_slot({"empty": []}, {}, START, HUE) is None
    friday_evening = utc(2026, 12, 4, 12, 0)  # 19:00 in Hue
    assert next_free_slot({"web": WEB}, {}, friday_evening, HUE, horizon_days=2) is None
    assert next_free_slot({"web": WEB}, {}, friday_evening, HUE, horizon_days=3) == utc(
        2026, 12, 7, 0, 30
    )
    every_slot = set(slot_times(YT, START, HUE, 10))
    assert next_free_slot({"yt": YT}, {"yt": every_slot}, START, HUE, horizon_days=10) is None


# -- through the service ----------------------------------------------------------------------


def slot_post(service: PostService, username: str = "cbtt.stttt", **fields: Any) -> Post:
    fields.setdefault("next_slot", True)
    return service.create(service.actor(username), post_input(**fields))


def test_create_with_next_slot_picks_the_first_free_slot(service: PostService) -> None:
    first = slot_post(service)
    assert first.scheduled_at == utc(2026, 12, 1, 7, 0)  # today 14:00 in Hue
    second = slot_post(service)
    assert second.scheduled_at == utc(2026, 12, 2, 0, 30)  # tomorrow 07:30
    third = slot_post(service)
    assert third.scheduled_at == utc(2026, 12, 2, 7, 0)
    for post in (first, second, third):
        assert post.id is not None
        deliveries = service.detail(post.id).deliveries
        assert [d.due_at for d in deliveries] == [post.scheduled_at]


def test_next_slot_across_channels(service: PostService) -> None:
    both = slot_post(service, channels=["zalo-asean-hue", "fb-asean-hue"])
    assert both.scheduled_at == utc(2026, 12, 1, 2, 0)  # today 09:00, an hour after Zalo's 08:00
    again = slot_post(service, channels=["zalo-asean-hue", "fb-asean-hue"])
    assert again.scheduled_at == utc(2026, 12, 2, 1, 0)  # Wed 08:00, an hour before Facebook's
    fb_only = slot_post(service, channels=["fb-asean-hue"])
    assert fb_only.scheduled_at == utc(2026, 12, 1, 13, 0)  # today 20:00: 09:00 is taken
    zalo_only = slot_post(service, channels=["zalo-asean-hue"])
    # Wed 08:00 is taken by `again` itself, today's 08:00 by `both` (placed an hour after it).
    assert zalo_only.scheduled_at == utc(2026, 12, 3, 1, 0)


def test_next_slot_counts_manual_times_and_skips_cancelled_posts(service: PostService) -> None:
    manual = service.create(
        service.actor("cbtt.stttt"), post_input(scheduled_at=utc(2026, 12, 1, 7, 0))
    )
    assert manual.id is not None
    assert slot_post(service).scheduled_at == utc(2026, 12, 2, 0, 30)
    service.cancel(service.actor("cbtt.stttt"), manual.id)
    assert slot_post(service).scheduled_at == utc(2026, 12, 1, 7, 0)


def test_next_slot_follows_the_clock(service: PostService, clock: Clock) -> None:
    clock.now = utc(2026, 12, 4, 8, 0)  # Friday 15:00 in Hue: the week's slots are gone
    assert slot_post(service).scheduled_at == utc(2026, 12, 7, 0, 30)  # Monday 07:30


def test_next_slot_without_slots_near_each_other_keeps_a_gap(service: PostService) -> None:
    # YouTube posts at 17:00, Zalo at 08:00: never within the hour of each other.
    apart = slot_post(service, channels=["zalo-asean-hue", "yt-hue-asean"])
    assert apart.scheduled_at == utc(2026, 12, 1, 10, 0)  # YouTube's Tue 17:00, Zalo empty then
    again = slot_post(service, channels=["zalo-asean-hue", "yt-hue-asean"])
    # Then Zalo's Wed 08:00: YouTube's last post is 15 hours before, over the 2-hour gap.
    assert again.scheduled_at == utc(2026, 12, 2, 1, 0)


def test_next_slot_without_a_channel_is_refused(service: PostService) -> None:
    with service.db.read() as session:
        posts = session.exec(select(func.count()).select_from(Post)).one()
    with pytest.raises(InvalidInput) as nothing:
        slot_post(service, channels=[])
    assert [p.field for p in nothing.value.problems] == ["at"]
    assert "(none)" in nothing.value.en and "60" in nothing.value.vi
    with service.db.read() as session:
        assert session.exec(select(func.count()).select_from(Post)).one() == posts


def test_reschedule_with_next_slot(service: PostService) -> None:
    officer = service.actor("cbtt.stttt")
    later = utc(2026, 12, 3, 7, 0)
    moved = service.create(officer, post_input(scheduled_at=later))
    taken = slot_post(service)
    assert moved.id is not None and taken.id is not None
    assert taken.scheduled_at == utc(2026, 12, 1, 7, 0)
    post = service.reschedule(officer, moved.id, None, next_slot=True)
    assert post.scheduled_at == utc(2026, 12, 2, 0, 30)  # the first slot not taken by `taken`
    detail = service.detail(moved.id)
    assert [d.due_at for d in detail.deliveries] == [utc(2026, 12, 2, 0, 30)]
    event = detail.events[-1]
    assert event.action == "post.rescheduled"
    assert event.detail["changes"]["scheduled_at"] == [
        later.isoformat(),
        utc(2026, 12, 2, 0, 30).isoformat(),
    ]


def test_reschedule_to_a_freed_slot_keeps_an_editors_approval(service: PostService) -> None:
    officer, editor = service.actor("cbtt.stttt"), service.actor("bientap")
    first = slot_post(service)
    second = slot_post(service)
    assert first.id is not None and second.id is not None
    service.submit(officer, second.id)
    service.approve(editor, second.id)
    service.cancel(officer, first.id)
    post = service.reschedule(editor, second.id, None, next_slot=True)
    assert (post.state, post.scheduled_at) == ("approved", utc(2026, 12, 1, 7, 0))
    deliveries = service.detail(second.id).deliveries
    assert [(d.state, d.due_at) for d in deliveries] == [("scheduled", utc(2026, 12, 1, 7, 0))]

"""The iCalendar feed, parsed back by a real RFC 5545 parser (the `icalendar` package)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event, vCategory
from sqlmodel import select

from content.db import Database
from content.models import Delivery, DeliveryState
from content.observances import Observance, occurrences
from content.posts import PostService
from tests.factories import post_input
from web.pages.ical import (
    FeedEvent,
    escape_text,
    feed_entries,
    feed_window,
    fold,
    render_feed,
)

HUE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 7, 20, 3, 0, tzinfo=UTC)
BASE_URL = "https://loa.example.vn/"
TITLE = "Ngày ASEAN 8/8: lễ thượng cờ tại Trung tâm Hành chính tỉnh Thừa Thiên Huế"


def event(**fields: object) -> FeedEvent:
    values: dict[str, object] = {
        "delivery_id": 41,
        "post_id": 12,
        "channel_id": "fb-asean-hue",
        "due_at": datetime(2026, 8, 8, 7, 30, tzinfo=HUE),
        "title": TITLE,
        "post_state": "approved",
        "delivery_state": "scheduled",
        "department_code": "STTTT",
        "topic": "a",
        "pillar": "ASCC",
        "channel_name": "Facebook Thông tin đối ngoại Huế",
        "department_name": "Sở Thông tin và Truyền thông",
        "topic_name": "Các sự kiện thường niên của ASEAN",
    }
    values.update(fields)
    return FeedEvent(**values)  # type: ignore[arg-type]


def feed(*events: FeedEvent, **options: object) -> str:
    arguments: dict[str, object] = {
        "name": "Loa – Lịch đăng bài ASEAN",
        "timezone": "Asia/Ho_Chi_Minh",
        "base_url": BASE_URL,
        "now": NOW,
    }
    arguments.update(options)
    return render_feed(list(events), **arguments)  # type: ignore[arg-type]


def parse(text: str) -> tuple[Calendar, list[Event]]:
    calendar = Calendar.from_ical(text)
    assert isinstance(calendar, Calendar)
    found = calendar.walk("VEVENT")
    assert all(isinstance(item, Event) for item in found)
    return calendar, [item for item in found if isinstance(item, Event)]


def categories(found: Event) -> list[str]:
    value = found["CATEGORIES"]
    assert isinstance(value, vCategory)
    return [str(c) for c in value.cats]


def physical_lines(text: str) -> list[bytes]:
    raw = text.encode("utf-8")
    assert raw.endswith(b"\r\n")
    lines = raw[:-2].split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in lines), "bare LF or CR"
    return lines


# --- the calendar and its events ---------------------------------------------------------------


def test_calendar_properties() -> None:
    calendar, _ = parse(feed(event(), description="Lịch của Sở / the department's schedule"))
    assert calendar["VERSION"] == "2.0"
    assert "Loa" in str(calendar["PRODID"])
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert str(calendar["X-WR-CALNAME"]) == "Loa – Lịch đăng bài ASEAN"
    assert str(calendar["NAME"]) == "Loa – Lịch đăng bài ASEAN"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Ho_Chi_Minh"
    assert str(calendar["X-WR-CALDESC"]) == "Lịch của Sở / the department's schedule"
    assert calendar.decoded("REFRESH-INTERVAL") == timedelta(hours=1)
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H"


def test_every_event_property() -> None:
    _, (found,) = parse(feed(event()))
    assert found["UID"] == "delivery-41@loa"
    assert found.decoded("DTSTAMP") == NOW
    assert found.decoded("DTSTART") == datetime(2026, 8, 8, 0, 30, tzinfo=UTC)
    assert found.decoded("DURATION") == timedelta(minutes=15)
    assert str(found["SUMMARY"]) == f"{TITLE} · Facebook Thông tin đối ngoại Huế"
    assert str(found["DESCRIPTION"]).splitlines() == [
        "Trạng thái / State: Đã duyệt · chờ đăng / Approved · scheduled",
        "Kênh / Channel: Facebook Thông tin đối ngoại Huế (fb-asean-hue)",
        "Đơn vị / Department: Sở Thông tin và Truyền thông",
        "Chủ đề / Topic: a - Các sự kiện thường niên của ASEAN · ASCC",
    ]
    assert found["URL"] == "https://loa.example.vn/posts/12"
    assert found["STATUS"] == "CONFIRMED"
    assert categories(found) == ["Chủ đề a / Topic a", "ASCC"]
    assert found["TRANSP"] == "TRANSPARENT"


def test_times_are_written_in_utc() -> None:
    text = feed(
        event(due_at=datetime(2026, 8, 8, 7, 30, tzinfo=HUE)),  # 07:30 in Huế
        event(delivery_id=42, due_at=datetime(2026, 12, 31, 23, 45, tzinfo=HUE)),
        event(
            delivery_id=43, due_at=datetime(2026, 8, 8, 6, 0, tzinfo=HUE)
        ),  # 23:00 the day before
    )
    assert "DTSTART:20260808T003000Z\r\n" in text
    assert "DTSTART:20261231T164500Z\r\n" in text
    assert "DTSTART:20260807T230000Z\r\n" in text
    assert "DTSTAMP:20260720T030000Z\r\n" in text
    _, found = parse(text)
    assert [e.decoded("DTSTART").astimezone(HUE).strftime("%d/%m %H:%M") for e in found] == [
        "08/08 07:30",
        "31/12 23:45",
        "08/08 06:00",
    ]


def test_public_link_once_published_and_marks_for_trouble() -> None:
    published = event(delivery_state="published", public_url="https://www.facebook.com/1_2")
    failed = event(delivery_id=42, delivery_state="failed", public_url="https://old.example/x")
    _, (first, second) = parse(feed(published, failed))
    assert str(first["DESCRIPTION"]).splitlines()[-1] == (
        "Đã đăng tại / Published at: https://www.facebook.com/1_2"
    )
    assert str(first["SUMMARY"]).startswith("Ngày ASEAN")
    assert "https://" not in str(second["DESCRIPTION"])  # only a published delivery has a link
    assert str(second["SUMMARY"]).startswith("[thất bại / failed] Ngày ASEAN")


@pytest.mark.parametrize(
    ("post_state", "delivery_state", "expected"),
    [
        ("approved", "scheduled", "CONFIRMED"),
        ("approved", "published", "CONFIRMED"),
        ("approved", "sending", "CONFIRMED"),
        ("in_review", "pending", "TENTATIVE"),
        ("draft", "pending", "TENTATIVE"),
        ("cancelled", "cancelled", "CANCELLED"),
        ("approved", "cancelled", "CANCELLED"),
    ],
)
def test_status(post_state: str, delivery_state: str, expected: str) -> None:
    _, (found,) = parse(feed(event(post_state=post_state, delivery_state=delivery_state)))
    assert found["STATUS"] == expected


def test_names_fall_back_to_codes() -> None:
    bare = event(channel_name="", department_name="", topic_name="", pillar=None)
    _, (found,) = parse(feed(bare))
    assert str(found["SUMMARY"]).endswith(" · fb-asean-hue")
    assert "Đơn vị / Department: STTTT" in str(found["DESCRIPTION"])
    assert "Chủ đề / Topic: a\n" in str(found["DESCRIPTION"]) + "\n"
    assert categories(found) == ["Chủ đề a / Topic a"]


def test_observances_are_all_day_background_events() -> None:
    asean_day = Observance("Ngày ASEAN", "ASEAN Day", 8, 8, year=1967)
    found = occurrences([asean_day], date(2026, 7, 1), date(2026, 12, 31))
    _, (day,) = parse(feed(observances=found))
    assert day["UID"] == "observance-20260808-0808@loa"
    assert day.decoded("DTSTART") == date(2026, 8, 8)
    assert day.decoded("DTEND") == date(2026, 8, 9)
    assert str(day["SUMMARY"]) == "Ngày ASEAN, kỷ niệm 59 năm / ASEAN Day, 59th anniversary"
    assert day["TRANSP"] == "TRANSPARENT"


def test_an_empty_feed_is_still_a_calendar() -> None:
    calendar, found = parse(feed())
    assert found == []
    assert str(calendar["X-WR-CALNAME"]) == "Loa – Lịch đăng bài ASEAN"


def test_other_uid_domain_path_refresh_and_duration() -> None:
    text = feed(
        event(),
        uid_domain="loa.thuathienhue.gov.vn",
        post_path="/bai-viet/{post_id}",
        refresh=timedelta(minutes=30),
        duration=timedelta(hours=1, minutes=5),
    )
    calendar, (found,) = parse(text)
    assert found["UID"] == "delivery-41@loa.thuathienhue.gov.vn"
    assert found["URL"] == "https://loa.example.vn/bai-viet/12"
    assert found.decoded("DURATION") == timedelta(hours=1, minutes=5)
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT30M"


# --- the text format: line endings, folding, escaping ------------------------------------------


def test_crlf_and_folding_at_75_octets_without_splitting_a_character() -> None:
    long_title = "Tuần lễ Văn hóa ASEAN: " + "Đại Nội Huế, lăng Tự Đức, chùa Thiên Mụ; " * 12
    text = feed(event(title=long_title.strip()))
    lines = physical_lines(text)
    assert max(len(line) for line in lines) <= 75
    assert any(len(line) >= 73 for line in lines), "long lines are filled, not cut short"
    for line in lines:
        line.decode("utf-8")  # raises if a character was split between two lines
    folded = [line for line in lines if line.startswith(b" ")]
    assert len(folded) >= 8
    _, (found,) = parse(text)
    assert str(found["SUMMARY"]) == f"{long_title.strip()} · Facebook Thông tin đối ngoại Huế"


def test_fold_counts_octets_and_continuations_start_with_a_space() -> None:
    line = "SUMMARY:" + "ế" * 100  # three octets each
    folded = fold(line).split("\r\n")
    assert [len(part.encode()) for part in folded[:2]] == [74, 73]  # 8 + 22 * 3; 1 + 24 * 3
    assert all(part.startswith(" ") for part in folded[1:])
    assert "".join(part.removeprefix(" ") for part in folded) == line
    assert fold("A" * 75) == "A" * 75
    assert fold("A" * 76) == "A" * 75 + "\r\n A"
    emoji = fold("X:" + "🇻🇳" * 20).split("\r\n")  # four octets each
    assert all(len(part.encode()) <= 75 for part in emoji)
    for part in emoji:
        part.encode().decode("utf-8")


def test_escaping_of_text_values() -> None:
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    assert escape_text("dòng 1\r\ndòng 2\rdòng 3") == "dòng 1\\ndòng 2\\ndòng 3"
    assert escape_text("tab\tand\x00bell\x07") == "tab\tandbell"
    tricky = 'Giao thương, đầu tư; "ASEAN" \\ Việt Nam'
    text = feed(event(title=tricky, channel_name="Kênh; số 1, Huế"))
    assert 'SUMMARY:Giao thương\\, đầu tư\\; "ASEAN" \\\\ Việt Nam · Kênh\\; số 1\\, Huế' in (
        text.replace("\r\n ", "")
    )
    _, (found,) = parse(text)
    assert str(found["SUMMARY"]) == f"{tricky} · Kênh; số 1, Huế"
    assert "Kênh / Channel: Kênh; số 1, Huế (fb-asean-hue)" in str(found["DESCRIPTION"])


def test_a_title_with_newlines_stays_on_one_summary_line() -> None:
    _, (found,) = parse(feed(event(title="Dòng một\nDòng hai\r\n  Dòng ba")))
    assert str(found["SUMMARY"]).startswith("Dòng một Dòng hai Dòng ba · ")
    assert str(found["DESCRIPTION"]).count("\n") == 3  # escaped newlines come back as newlines


def test_markup_in_a_post_stays_text() -> None:
    title = '<script>alert("x")</script> <b>ASEAN</b> &amp; <img src=x onerror=alert(1)>'
    text = feed(event(title=title))
    assert "&lt;" not in text and "X-ALT-DESC" not in text
    _, (found,) = parse(text)
    assert str(found["SUMMARY"]) == f"{title} · Facebook Thông tin đối ngoại Huế"


# --- the query -------------------------------------------------------------------------------


def test_feed_window() -> None:
    start, end = feed_window(NOW)
    assert (NOW - start, end - NOW) == (timedelta(days=30), timedelta(days=180))
    assert feed_window(NOW.astimezone(HUE), 1, 2) == (NOW - timedelta(days=1), NOW + timedelta(2))


def test_feed_entries_by_scope_with_states_links_and_names(
    db: Database, service: PostService
) -> None:
    officer, editor = service.actor("cbtt.stttt"), service.actor("bientap")
    tourism, tourism_editor = service.actor("cbtt.sdl"), service.actor("bientap2")
    at = datetime(2026, 12, 3, 7, 30, tzinfo=HUE)
    approved = service.create(
        officer, post_input(channels=["fb-asean-hue", "web-asean"], scheduled_at=at)
    )
    service.submit(officer, approved.id or 0)
    service.approve(editor, approved.id or 0)
    waiting = service.create(
        officer, post_input(title="Chờ duyệt", scheduled_at=at + timedelta(days=1))
    )
    service.submit(officer, waiting.id or 0)
    service.create(officer, post_input(title="Bản nháp", scheduled_at=at))  # a draft: left out
    cancelled = service.create(officer, post_input(title="Đã hủy", scheduled_at=at))
    service.submit(officer, cancelled.id or 0)
    service.cancel(officer, cancelled.id or 0, "Trùng lịch")
    tourism_post = service.create(
        tourism,
        post_input(
            title="Du lịch Huế", department="SDL", channels=["fb-dulich-hue"], scheduled_at=at
        ),
    )
    service.submit(tourism, tourism_post.id or 0)
    service.approve(tourism_editor, tourism_post.id or 0)
    far = service.create(officer, post_input(title="Quá xa", scheduled_at=at + timedelta(200)))
    service.submit(officer, far.id or 0)
    with db.write() as session:
        delivery = session.exec(
            select(Delivery).where(
                Delivery.post_id == approved.id, Delivery.channel_id == "web-asean"
            )
        ).one()
        delivery.state = DeliveryState.published
        delivery.remote_url = "https://asean.thuathienhue.gov.vn/ngay-asean"

    now = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    topics = {"a": "Các sự kiện thường niên của ASEAN"}
    with db.read() as session:
        everything = feed_entries(session, now, topics=topics)
        department = feed_entries(session, now, department="SDL")
        channel = feed_entries(session, now, channel="web-asean")
    assert [(e.title, e.channel_id, e.post_state, e.delivery_state) for e in everything] == [
        (approved.title, "fb-asean-hue", "approved", "scheduled"),
        ("Du lịch Huế", "fb-dulich-hue", "approved", "scheduled"),
        (approved.title, "web-asean", "approved", "published"),
        ("Đã hủy", "web-asean", "cancelled", "cancelled"),
        ("Chờ duyệt", "web-asean", "in_review", "pending"),
    ]
    first = everything[0]
    assert first.due_at == at.astimezone(UTC)
    assert (first.department_name, first.topic_name) == (
        "Sở Thông tin và Truyền thông",
        topics["a"],
    )
    assert first.channel_name == "fb-asean-hue"  # the seeded channels are named by their id
    assert first.public_url is None
    assert everything[2].public_url == "https://asean.thuathienhue.gov.vn/ngay-asean"
    assert [(e.title, e.department_code) for e in department] == [("Du lịch Huế", "SDL")]
    assert [e.title for e in channel] == [approved.title, "Đã hủy", "Chờ duyệt"]
    assert channel[0].public_url == "https://asean.thuathienhue.gov.vn/ngay-asean"

    _, found = parse(
        render_feed(everything, name="Loa", timezone="Asia/Ho_Chi_Minh", base_url=BASE_URL, now=now)
    )
    assert [e["STATUS"] for e in found] == [
        "CONFIRMED", "CONFIRMED", "CONFIRMED", "CANCELLED", "TENTATIVE",
    ]  # fmt: skip
    assert found[0].decoded("DTSTART") == datetime(2026, 12, 3, 0, 30, tzinfo=UTC)
    assert len({e["UID"] for e in found}) == 5

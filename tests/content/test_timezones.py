"""Times and text through the real database, on SQLite and PostgreSQL: aware UTC in, the same
instant out, the same wall clock shown; naive datetimes refused; Vietnamese byte-exact."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from typing import Literal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError
from sqlmodel import col, func, select

from content.db import Database
from content.models import AuditEvent, Delivery, Post
from content.posts import PostService
from content.timeutil import NaiveDatetimeError, as_utc, format_local, parse_local, zone
from tests.factories import VOCABULARY, Clock, post_input

HUE = zone("Asia/Ho_Chi_Minh")
NEW_YORK = zone("America/New_York")


def service_on(db: Database, tz_name: str = "Asia/Ho_Chi_Minh") -> PostService:
    clock = Clock(datetime(2026, 1, 1, 0, 0, tzinfo=UTC))
    return PostService(db, VOCABULARY, zone(tz_name), clock=clock)


def store(service: PostService, when: datetime, **fields: object) -> Post:
    """Write a post at `when` and read it back through a fresh session."""
    post = service.create(service.actor("cbtt.stttt"), post_input(scheduled_at=when, **fields))
    assert post.id is not None
    return service.detail(post.id).post


def raw(db: Database, sql: str, **params: object) -> object:
    with db.read() as session:
        return session.connection().execute(text(sql), params).scalar_one()


# -- Asia/Ho_Chi_Minh -------------------------------------------------------------------------


def test_hue_time_round_trips_as_the_same_instant(any_db: Database) -> None:
    service = service_on(any_db)
    when = parse_local("2026-12-05 09:30", HUE)
    assert when == datetime(2026, 12, 5, 2, 30, tzinfo=UTC)
    post = store(service, when)
    assert post.scheduled_at == when
    assert post.scheduled_at is not None
    assert post.scheduled_at.tzinfo is UTC
    assert format_local(post.scheduled_at, HUE) == "2026-12-05 09:30"
    assert post.id is not None
    (delivery,) = service.detail(post.id).deliveries
    assert delivery.due_at == when and delivery.due_at.tzinfo is UTC
    assert post.created_at.tzinfo is UTC


def test_any_aware_zone_is_stored_as_utc(any_db: Database) -> None:
    service = service_on(any_db)
    in_hue = datetime(2026, 12, 5, 9, 30, tzinfo=HUE)
    with_offset = datetime(2026, 12, 5, 9, 30, tzinfo=timezone(timedelta(hours=7)))
    first, second = store(service, in_hue), store(service, with_offset)
    assert first.scheduled_at == second.scheduled_at == datetime(2026, 12, 5, 2, 30, tzinfo=UTC)
    # What is stored is UTC, whatever zone the value arrived in.
    stored = raw(any_db, "SELECT scheduled_at FROM post WHERE id = :id", id=first.id)
    if any_db.is_sqlite:
        assert str(stored).startswith("2026-12-05 02:30:00")
    else:
        assert isinstance(stored, datetime)
        assert as_utc(stored) == datetime(2026, 12, 5, 2, 30, tzinfo=UTC)


def test_posts_sort_by_instant_not_wall_clock(any_db: Database) -> None:
    service = service_on(any_db)
    # 09:00 in Hue is earlier than 22:00 the evening before in New York (03:00 UTC).
    hue_morning = store(service, datetime(2026, 12, 5, 9, 0, tzinfo=HUE), title="Hue")
    ny_evening = store(service, datetime(2026, 12, 4, 22, 0, tzinfo=NEW_YORK), title="NY")
    hue_early = store(service, datetime(2026, 12, 5, 6, 0, tzinfo=HUE), title="Hue early")
    titles = [post.title for post, _ in service.list_posts()]
    assert titles == ["Hue early", "Hue", "NY"]
    instants = [post.scheduled_at for post in (hue_early, hue_morning, ny_evening)]
    assert instants == sorted(
        instants, key=lambda moment: moment or datetime.min.replace(tzinfo=UTC)
    )
    assert len(set(instants)) == 3
    with any_db.read() as session:
        after = datetime(2026, 12, 5, 1, 30, tzinfo=UTC)
        query = select(Post.title).where(col(Post.scheduled_at) > after).order_by(Post.title)
        assert list(session.exec(query).all()) == ["Hue", "NY"]


# -- America/New_York across DST --------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected_utc"),
    [
        ("2026-03-07 09:00", datetime(2026, 3, 7, 14, 0, tzinfo=UTC)),  # EST, -05:00
        ("2026-03-09 09:00", datetime(2026, 3, 9, 13, 0, tzinfo=UTC)),  # EDT, -04:00
        ("2026-03-08 03:30", datetime(2026, 3, 8, 7, 30, tzinfo=UTC)),  # just after the gap
        ("2026-10-31 09:00", datetime(2026, 10, 31, 13, 0, tzinfo=UTC)),  # EDT
        ("2026-11-02T09:00", datetime(2026, 11, 2, 14, 0, tzinfo=UTC)),  # EST
    ],
)
def test_new_york_round_trips_across_dst(
    any_db: Database, typed: str, expected_utc: datetime
) -> None:
    service = service_on(any_db, "America/New_York")
    when = parse_local(typed, NEW_YORK)
    assert when == expected_utc
    post = store(service, when)
    assert post.scheduled_at == expected_utc
    assert post.scheduled_at is not None and post.scheduled_at.tzinfo is UTC
    assert format_local(post.scheduled_at, NEW_YORK) == typed.replace("T", " ")


@pytest.mark.parametrize("typed", ["2026-03-08 02:30", "2026-03-08 02:00", "2026-03-08T02:59"])
def test_a_time_in_the_spring_gap_is_refused(typed: str) -> None:
    with pytest.raises(ValueError, match="does not exist in America/New_York") as refused:
        parse_local(typed, NEW_YORK)
    assert "pick another time" in str(refused.value)


def test_an_ambiguous_fall_back_time_is_read_the_same_way_every_time(any_db: Database) -> None:
    service = service_on(any_db, "America/New_York")
    readings = {parse_local("2026-11-01 01:30", NEW_YORK) for _ in range(3)}
    # 01:30 happens twice; the first one (still EDT, -04:00) is taken.
    assert readings == {datetime(2026, 11, 1, 5, 30, tzinfo=UTC)}
    post = store(service, readings.pop())
    assert post.scheduled_at == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert format_local(post.scheduled_at, NEW_YORK, "%H:%M %Z") == "01:30 EDT"
    # The second 01:30 can still be chosen by giving the offset.
    second = parse_local("2026-11-01T01:30-05:00", NEW_YORK)
    assert second == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    stored = store(service, second)
    assert format_local(stored.scheduled_at, NEW_YORK, "%H:%M %Z") == "01:30 EST"


@pytest.mark.parametrize("typed", ["tomorrow", "2026-13-01 09:00", "05/12/2026 09:00", ""])
def test_unreadable_times_are_refused(typed: str) -> None:
    with pytest.raises(ValueError, match="cannot read time"):
        parse_local(typed, HUE)


def test_parse_local_accepts_seconds_and_offsets() -> None:
    assert parse_local(" 2026-12-05 09:30:15 ", HUE) == datetime(2026, 12, 5, 2, 30, 15, tzinfo=UTC)
    assert parse_local("2026-12-05T09:30+09:00", HUE) == datetime(2026, 12, 5, 0, 30, tzinfo=UTC)
    assert parse_local("2026-12-05T02:30Z", NEW_YORK) == datetime(2026, 12, 5, 2, 30, tzinfo=UTC)


# -- naive datetimes are refused at the database boundary ------------------------------------


def count(db: Database, table: type) -> int:
    with db.read() as session:
        return int(session.exec(select(func.count()).select_from(table)).one())


def test_naive_datetimes_are_refused_when_written(any_db: Database) -> None:
    service = service_on(any_db)
    naive = datetime(2026, 12, 5, 9, 30)  # noqa: DTZ001 - the point of the test
    posts, deliveries = count(any_db, Post), count(any_db, Delivery)
    with pytest.raises(StatementError) as refused:
        service.create(service.actor("cbtt.stttt"), post_input(scheduled_at=naive))
    assert isinstance(refused.value.orig, NaiveDatetimeError)
    assert "no time zone" in str(refused.value)
    assert "2026-12-05T09:30:00" in str(refused.value)
    assert (count(any_db, Post), count(any_db, Delivery)) == (posts, deliveries)


def test_naive_datetimes_are_refused_in_edits_and_queries(any_db: Database) -> None:
    service = service_on(any_db)
    post = store(service, datetime(2026, 12, 5, 2, 30, tzinfo=UTC))
    assert post.id is not None
    naive = datetime(2026, 12, 6, 9, 30)  # noqa: DTZ001
    with pytest.raises(NaiveDatetimeError, match="no time zone"):
        service.edit(service.actor("cbtt.stttt"), post.id, {"scheduled_at": naive})
    assert service.detail(post.id).post.scheduled_at == datetime(2026, 12, 5, 2, 30, tzinfo=UTC)
    with any_db.read() as session, pytest.raises(StatementError, match="no time zone"):
        session.exec(select(Post).where(col(Post.scheduled_at) > naive)).all()
    with pytest.raises(StatementError, match="no time zone"), any_db.write() as session:
        session.add(AuditEvent(at=naive, actor="test", action="probe"))
    assert count(any_db, AuditEvent) == 1  # only the creation


# -- Vietnamese text --------------------------------------------------------------------------

TITLE_NFC = unicodedata.normalize("NFC", "Hội nghị Thượng đỉnh ASEAN lần thứ 47 – Kuala Lumpur")
TITLE_NFD = unicodedata.normalize("NFD", TITLE_NFC)
BODY = "Đoàn đại biểu tỉnh Thừa Thiên Huế dự “Tuần lễ Văn hóa ASEAN” — ảnh: Sở Ngoại vụ.\n✓ 🇻🇳"


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_vietnamese_text_round_trips_byte_exactly(
    any_db: Database, form: Literal["NFC", "NFD"]
) -> None:
    title = TITLE_NFC if form == "NFC" else TITLE_NFD
    body = unicodedata.normalize(form, BODY)
    hashtag = unicodedata.normalize(form, "HộiNghịThượngĐỉnh")
    audience = unicodedata.normalize(form, "Người Việt ở các nước ASEAN")
    assert unicodedata.is_normalized(form, title)
    service = service_on(any_db)
    post = store(
        service,
        datetime(2026, 12, 5, 2, 30, tzinfo=UTC),
        title=title,
        body=body,
        hashtags=[hashtag],
        audience=audience,
    )
    for got, sent in ((post.title, title), (post.body, body), (post.audience, audience)):
        assert got is not None
        assert got.encode("utf-8") == sent.encode("utf-8")
    assert [tag.encode() for tag in post.hashtags] == [hashtag.encode()]
    assert unicodedata.is_normalized(form, post.title)
    stored = raw(any_db, "SELECT title FROM post WHERE id = :id", id=post.id)
    assert isinstance(stored, str) and stored.encode() == title.encode()
    assert post.id is not None
    (event,) = service.detail(post.id).events
    assert event.detail["title"].encode() == title.encode()


def test_nfc_and_nfd_titles_stay_distinct(any_db: Database) -> None:
    service = service_on(any_db)
    nfc = store(service, datetime(2026, 12, 5, 2, 30, tzinfo=UTC), title=TITLE_NFC)
    nfd = store(service, datetime(2026, 12, 5, 2, 30, tzinfo=UTC), title=TITLE_NFD)
    assert len(TITLE_NFD) > len(TITLE_NFC)
    assert nfc.title != nfd.title
    with any_db.read() as session:
        titles = {
            title.encode(): length
            for title, length in session.connection().execute(
                text("SELECT title, LENGTH(title) FROM post ORDER BY id")
            )
        }
    assert titles == {TITLE_NFC.encode(): len(TITLE_NFC), TITLE_NFD.encode(): len(TITLE_NFD)}

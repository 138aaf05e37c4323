"""content.calendar.entries on SQLite and PostgreSQL: the same entries, times and order the
ORM reads (aware UTC through `UTCDateTime`), while it reads each distinct time only once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import insert
from sqlmodel import col, select

from content.calendar import CalendarEntry, CalendarFilter, entries, month_window
from content.db import Database
from content.models import Delivery, Post, User
from content.timeutil import zone

HUE = zone("Asia/Ho_Chi_Minh")
AUGUST = month_window(2026, 8, HUE)  # 2026-07-31 17:00 UTC to 2026-08-31 17:00 UTC


def fill(db: Database, posts: list[tuple[str, str, list[tuple[str, str, datetime]]]]) -> None:
    """(title, post state, [(channel, delivery state, due at)]) written in bulk."""
    with db.write() as session:
        author = session.exec(select(User.id).where(User.username == "bientap")).one()
        post_rows: list[dict[str, Any]] = []
        delivery_rows: list[dict[str, Any]] = []
        for post_id, (title, state, deliveries) in enumerate(posts, start=1):
            at = deliveries[0][2]
            post_rows.append({
                "id": post_id, "title": title, "body": "", "hashtags": [], "topic": "a",
                "pillar": None if post_id % 2 else "ASCC", "department_code": "SDL",
                "author_id": author, "state": state, "scheduled_at": at,
                "missed_policy": "publish_late", "grace_minutes": 60, "version": 1,
                "created_at": at, "updated_at": at,
            })  # fmt: skip
            delivery_rows += [{
                "post_id": post_id, "channel_id": channel, "overrides": {}, "state": d_state,
                "due_at": due, "attempts": 0, "created_at": at, "updated_at": at,
            } for channel, d_state, due in deliveries]  # fmt: skip
        session.execute(insert(Post), post_rows)
        session.execute(insert(Delivery), delivery_rows)


def through_the_orm(db: Database, include_cancelled: bool = False) -> list[CalendarEntry]:
    """What the calendar should hold, read the slow way: ORM objects, one conversion per row."""
    start, end = AUGUST
    with db.read() as session:
        rows = session.exec(
            select(Delivery, Post).join(Post, col(Post.id) == col(Delivery.post_id))
        ).all()
        found = [
            CalendarEntry(
                d.post_id,
                d.id or 0,
                d.channel_id,
                d.due_at,
                p.title,
                p.state,
                d.state,
                p.department_code,
                p.topic,
                p.pillar,
            )
            for d, p in rows
            if d.due_at is not None
            and start <= d.due_at < end
            and (include_cancelled or d.state != "cancelled")
        ]
    return sorted(found, key=lambda e: (e.due_at, e.channel_id, e.post_id))


def test_entries_read_what_the_orm_reads(any_db: Database) -> None:
    seven_am = datetime(2026, 8, 8, 0, 0, tzinfo=UTC)  # 07:00 in Huế
    fill(
        any_db,
        [
            ("Ngày ASEAN 8/8", "approved", [
                ("web-asean", "scheduled", seven_am),
                ("fb-asean-hue", "scheduled", seven_am),
                ("zalo-asean-hue", "published", seven_am),
            ]),
            ("Đêm hội <Huế> & \"ASEAN\"", "draft", [
                # an aware time in another zone, with seconds and microseconds
                ("web-asean", "pending",
                 datetime(2026, 8, 8, 9, 15, 30, 123456, tzinfo=timezone(timedelta(hours=9)))),
            ]),
            ("Giờ đầu tháng", "approved", [("web-asean", "scheduled", AUGUST[0])]),
            ("Giờ cuối tháng", "approved", [
                ("web-asean", "scheduled", AUGUST[1] - timedelta(microseconds=1)),
            ]),
            ("Tháng sau", "approved", [("web-asean", "scheduled", AUGUST[1])]),
            ("Tháng trước", "approved", [
                ("web-asean", "scheduled", AUGUST[0] - timedelta(minutes=1)),
            ]),
            ("Đã hủy", "cancelled", [("fb-asean-hue", "cancelled", seven_am)]),
        ],
    )  # fmt: skip
    with any_db.read() as session:
        found = entries(session, *AUGUST)
        everything = entries(session, *AUGUST, CalendarFilter(include_cancelled=True))
        web_only = entries(session, *AUGUST, CalendarFilter(channels=["web-asean"]))

    assert found == through_the_orm(any_db)
    assert everything == through_the_orm(any_db, include_cancelled=True)
    assert [e.title for e in web_only] == [
        "Giờ đầu tháng", "Ngày ASEAN 8/8", "Đêm hội <Huế> & \"ASEAN\"", "Giờ cuối tháng",
    ]  # fmt: skip
    assert all(type(e) is CalendarEntry for e in found)
    assert all(type(e.due_at) is datetime and e.due_at.tzinfo is UTC for e in everything)
    assert found[0].due_at == AUGUST[0]
    assert found[-1].due_at == AUGUST[1] - timedelta(microseconds=1)
    assert datetime(2026, 8, 8, 0, 15, 30, 123456, tzinfo=UTC) in [e.due_at for e in found]
    assert "Tháng sau" not in [e.title for e in found]
    assert "Tháng trước" not in [e.title for e in found]
    # One post on three channels at one time: one datetime, read once.
    at_seven = [e for e in found if e.title == "Ngày ASEAN 8/8"]
    assert [e.channel_id for e in at_seven] == ["fb-asean-hue", "web-asean", "zalo-asean-hue"]
    assert at_seven[0].due_at is at_seven[1].due_at is at_seven[2].due_at


def test_no_entries_in_an_empty_window(any_db: Database) -> None:
    with any_db.read() as session:
        assert entries(session, *AUGUST) == []

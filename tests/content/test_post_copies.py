"""Copies of a post (content.post_copies) on SQLite and PostgreSQL: a duplicate is a draft
without a time; a weekly series keeps the local time, stops at its end date, and is written
all together or not at all."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from content.db import Database
from content.errors import InvalidInput, NotFound
from content.models import Post
from content.post_copies import duplicate, weekly_series, weekly_times
from content.posts import PostService
from content.timeutil import zone
from tests.factories import VOCABULARY, Clock, post_input

TZ = zone("Asia/Ho_Chi_Minh")
WHEN = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # Wed 09:00 in Hue


@pytest.fixture
def posts(any_db: Database, clock: Clock) -> PostService:
    return PostService(any_db, VOCABULARY, TZ, clock=clock)


def test_weekly_times_keep_the_local_time_up_to_the_end_day() -> None:
    early = datetime(2026, 12, 2, 17, 30, tzinfo=UTC)  # Thu 03/12 00:30 in Hue
    # The end is a day in Hue: 09/12 ends before Thu 10/12 00:30 there (09/12 17:30 UTC).
    assert weekly_times(early, date(2026, 12, 9), TZ) == []
    found = weekly_times(early, date(2026, 12, 17), TZ)
    assert [t.astimezone(TZ).strftime("%a %d/%m %H:%M") for t in found] == [
        "Thu 10/12 00:30", "Thu 17/12 00:30"
    ]  # fmt: skip
    assert len(weekly_times(early, date(2030, 1, 1), TZ)) == 53  # past the limit: refused later


def test_a_draft_series_stays_draft_and_a_duplicate_has_no_time(posts: PostService) -> None:
    officer = posts.actor("cbtt.stttt")
    original = posts.create(officer, post_input(scheduled_at=WHEN, channels=["web-asean"]))
    assert original.id is not None
    made = weekly_series(posts, officer, original.id, date(2026, 12, 16))
    assert [p.state for p in made] == ["draft", "draft"]
    with posts.db.read() as session:
        series = session.exec(select(Post).where(Post.series_id == made[0].series_id)).all()
    assert sorted(p.id or 0 for p in series) == sorted([original.id, *(p.id or 0 for p in made)])
    with pytest.raises(InvalidInput, match="already belongs to a weekly series"):
        weekly_series(posts, officer, original.id, date(2026, 12, 30))
    copy = duplicate(posts, officer, original.id)
    assert copy.scheduled_at is None and copy.series_id is None and copy.state == "draft"


def test_a_series_is_refused_for_another_department_or_an_invalid_post(posts: PostService) -> None:
    officer, sdl = posts.actor("cbtt.stttt"), posts.actor("cbtt.sdl")
    original = posts.create(officer, post_input(scheduled_at=WHEN, channels=["web-asean"]))
    assert original.id is not None
    with pytest.raises(NotFound):
        weekly_series(posts, sdl, original.id, date(2026, 12, 30))
    posts.submit(officer, original.id)
    with posts.db.write() as session:  # a title emptied behind the service's back
        stored = session.get(Post, original.id)
        assert stored is not None
        stored.title = ""
    with pytest.raises(InvalidInput):
        weekly_series(posts, officer, original.id, date(2026, 12, 30))
    with posts.db.read() as session:
        assert len(session.exec(select(Post)).all()) == 1

"""Each channel's spacing from its settings (`min_gap_minutes`, `daily_cap`) decides the
composer's next free slot, and the time its page explains is the time the post is stored at."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from content.db import Database
from content.models import Channel, Post
from content.posts import PostService
from tests.factories import post_input
from tests.web.test_composer import send
from tests.web.test_composer_preview import live_preview, text_of

ZALO_YT = ["yt-hue-asean", "zalo-asean-hue"]
TUE_16 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 16:00 in Hue, the test clock's Tuesday
TUE_17 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # YouTube's slot
WED_08 = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # Zalo's next slot


def set_settings(db: Database, channel_id: str, **settings: Any) -> None:
    with db.write() as session:
        channel = session.get(Channel, channel_id)
        assert channel is not None
        channel.settings = {**channel.settings, **settings}


@pytest.fixture
def zalo_busy_at_four(service: PostService) -> None:
    """A Zalo post at 16:00, an hour before YouTube's 17:00 slot."""
    officer = service.actor("cbtt.stttt")
    service.create(officer, post_input(channels=["zalo-asean-hue"], scheduled_at=TUE_16))


def stored_after_submit(db: Database, client: TestClient) -> datetime | None:
    saved = send(client, action="submit", timing="next", at="", channels=ZALO_YT)
    assert saved.status_code == 303, saved.text
    with db.read() as session:
        newest = session.exec(select(Post).order_by(col(Post.id).desc())).first()
    assert newest is not None
    return newest.scheduled_at


@pytest.mark.usefixtures("zalo_busy_at_four")
def test_the_default_gap_of_two_hours(db: Database, officer_client: TestClient) -> None:
    advice = live_preview(
        officer_client, "/compose/preview?lang=en", timing="next", channels=ZALO_YT
    )
    assert advice["slot"]["at"] == WED_08.isoformat()
    assert stored_after_submit(db, officer_client) == WED_08


@pytest.mark.usefixtures("zalo_busy_at_four")
def test_a_channels_own_gap_is_explained_and_stored(
    db: Database, officer_client: TestClient
) -> None:
    set_settings(db, "zalo-asean-hue", min_gap_minutes=45)
    shown = send(officer_client, action="preview", timing="next", at="", channels=ZALO_YT)
    words = text_of(shown.text)
    assert "Giờ trống gần nhất cho cả 2 kênh: Thứ Ba, 01/12/2026 17:00" in words
    assert "Zalo OA cách bài trước 1 giờ" in words
    assert "ít nhất 45 phút" in words  # the narrowest gap, Zalo's
    assert stored_after_submit(db, officer_client) == TUE_17


@pytest.mark.usefixtures("zalo_busy_at_four")
def test_a_daily_cap_moves_the_post_to_the_next_day(
    db: Database, officer_client: TestClient
) -> None:
    set_settings(db, "zalo-asean-hue", min_gap_minutes=45, daily_cap=1)
    advice = live_preview(
        officer_client, "/compose/preview?lang=vi", timing="next", channels=ZALO_YT
    )
    assert advice["slot"]["at"] == WED_08.isoformat()
    assert stored_after_submit(db, officer_client) == WED_08

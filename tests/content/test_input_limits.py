"""The limits of what a post may hold, through PostService: times in the one accepted range,
titles without control characters, hashtags of letters, digits and underscores, and per-channel
overrides held to the rules of the fields they replace. Each refusal names its field and saves
nothing; values an older version stored outside those limits still read back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import func, select

from content.db import Database
from content.deliveries import DeliveryService
from content.errors import InvalidInput
from content.models import Delivery, DeliveryState, Post
from content.posts import PostService
from content.timeutil import EARLIEST, LATEST, format_local, in_range, parse_local, to_local, zone
from tests.factories import Clock, post_input

TZ = zone("Asia/Ho_Chi_Minh")
OFFICER = "cbtt.stttt"


def refusal(service: PostService, db: Database, **fields: Any) -> InvalidInput:
    """The refusal of creating a post with these fields; nothing was saved."""
    with pytest.raises(InvalidInput) as caught:
        service.create(service.actor(OFFICER), post_input(**fields))
    with db.read() as session:
        assert session.exec(select(func.count()).select_from(Post)).one() == 0
    return caught.value


def fields_of(error: InvalidInput) -> list[str]:
    return [p.field for p in error.problems]


# --- times -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "when",
    [
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
        LATEST,
        EARLIEST - timedelta(seconds=1),
        datetime(1, 1, 1, tzinfo=UTC),
    ],
)
def test_a_time_outside_the_range_is_refused_by_name(
    service: PostService, db: Database, when: datetime
) -> None:
    error = refusal(service, db, scheduled_at=when)
    assert fields_of(error) == ["at"]
    assert error.problems[0].vi.startswith("Thời điểm")
    assert f"{EARLIEST.year}" in error.problems[0].vi and f"{LATEST.year - 1}" in error.en


def test_the_ends_of_the_range(service: PostService) -> None:
    officer = service.actor(OFFICER)
    last = LATEST - timedelta(seconds=1)
    assert service.create(officer, post_input(scheduled_at=last)).scheduled_at == last
    assert in_range(EARLIEST) and not in_range(LATEST)


def test_an_edit_or_a_move_to_a_far_future_is_refused(service: PostService, clock: Clock) -> None:
    officer = service.actor(OFFICER)
    post = service.create(officer, post_input(scheduled_at=clock.now + timedelta(days=2)))
    assert post.id is not None
    far = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    with pytest.raises(InvalidInput) as edited:
        service.edit(officer, post.id, {"scheduled_at": far})
    with pytest.raises(InvalidInput) as moved:
        service.reschedule(officer, post.id, far)
    assert fields_of(edited.value) == fields_of(moved.value) == ["at"]
    assert service.detail(post.id).post.scheduled_at == clock.now + timedelta(days=2)


def test_a_retry_to_a_far_future_is_refused(
    service: PostService, db: Database, clock: Clock
) -> None:
    post = service.create(service.actor(OFFICER), post_input())
    with db.write() as session:
        delivery = session.exec(select(Delivery).where(Delivery.post_id == post.id)).one()
        delivery.state = DeliveryState.failed
        delivery_id = delivery.id
    assert delivery_id is not None
    deliveries = DeliveryService(db, TZ, clock=clock)
    with pytest.raises(InvalidInput) as caught:
        deliveries.retry(service.actor("bientap"), delivery_id, datetime(2200, 1, 1, tzinfo=UTC))
    assert fields_of(caught.value) == ["at"]


@pytest.mark.parametrize("typed", ["0001-01-01T00:00:00+05:00", "0001-01-01 03:00"])
def test_a_time_before_year_one_in_utc_is_unreadable_not_an_overflow(typed: str) -> None:
    with pytest.raises(ValueError, match="outside the times Loa can hold"):
        parse_local(typed, TZ)


def test_an_extreme_stored_time_still_reads_back(
    service: PostService, db: Database, clock: Clock
) -> None:
    """An older version accepted any year: 9999-12-31 23:59 UTC is year 10000 in Hue."""
    post = service.create(service.actor(OFFICER), post_input())
    with db.write() as session:
        session.execute(text("UPDATE post SET scheduled_at = '9999-12-31 23:59:59.000000'"))
    stored = service.detail(post.id or 0).post.scheduled_at
    assert stored == datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert to_local(stored, TZ) == stored  # shown in UTC, the same instant
    assert format_local(stored, TZ) == "9999-12-31 23:59"
    assert format_local(datetime(1, 1, 1, tzinfo=UTC), zone("America/New_York")) == (
        "0001-01-01 00:00"
    )


# --- titles and hashtags ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "Ngày ASEAN\x00 8/8",
        "Ngày ASEAN\n8/8",
        "Ngày ASEAN\r8/8",
        "Ngày\tASEAN",
        "Ngày ASEAN\u2028 8/8",
        "Ngày ASEAN \u202egnp.exe",
        "Ngày ASEAN \u2066ẩn\u2069",
        "Ngày ASEAN \ud800",
    ],
)
def test_a_title_with_a_control_character_is_refused(
    service: PostService, db: Database, title: str
) -> None:
    error = refusal(service, db, title=title)
    assert fields_of(error) == ["title"]
    assert "ký tự điều khiển" in error.problems[0].vi and "U+" in error.problems[0].en


def test_a_title_with_emoji_and_vietnamese_is_fine(service: PostService) -> None:
    title = "Lễ hội Huế 🇻🇳 chào ASEAN: “Một tầm nhìn” — 2026"
    assert service.create(service.actor(OFFICER), post_input(title=title)).title == title


@pytest.mark.parametrize("tag", ["ASEAN-2026", "Huế!", "a.b", "x<script>", "tag\u200b", "½"])
def test_a_hashtag_takes_letters_digits_and_underscores_only(
    service: PostService, db: Database, tag: str
) -> None:
    error = refusal(service, db, hashtags=["ASEAN", tag])
    assert fields_of(error) == ["hashtags"]
    assert "chữ, chữ số và dấu gạch dưới" in error.problems[0].vi


def test_hashtags_in_vietnamese_with_digits_and_underscores(service: PostService) -> None:
    decomposed = "Hue\u0302\u0301"  # "Huế" typed as base letters and combining marks
    tags = ["Huế", "ASEAN_2026", "ThừaThiênHuế", decomposed]
    post = service.create(service.actor(OFFICER), post_input(hashtags=tags))
    assert post.hashtags == tags


# --- per-channel overrides -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"link": "javascript:alert(9)"}, "overrides.web-asean.link"),
        ({"link": "data:text/html,<b>x</b>"}, "overrides.web-asean.link"),
        ({"link": ""}, "overrides.web-asean.link"),
        ({"title": "Tiêu đề\nhai dòng"}, "overrides.web-asean.title"),
        ({"title": "   "}, "overrides.web-asean.title"),
        ({"title": "x" * 301}, "overrides.web-asean.title"),
        ({"hashtags": ["ok", "không được"]}, "overrides.web-asean.hashtags"),
        ({"hashtags": "ASEAN"}, "overrides.web-asean.hashtags"),
        ({"title": 123}, "overrides.web-asean.title"),
        ({"body": ["not", "text"]}, "overrides.web-asean.body"),
    ],
)
def test_an_override_passes_the_rules_of_its_field(
    service: PostService, db: Database, override: dict[str, Any], field: str
) -> None:
    error = refusal(service, db, overrides={"web-asean": override})
    assert fields_of(error) == [field]


def test_a_bad_override_link_is_refused_on_edit_too(service: PostService) -> None:
    officer = service.actor(OFFICER)
    post = service.create(officer, post_input())
    with pytest.raises(InvalidInput) as caught:
        service.edit(
            officer, post.id or 0, {"overrides": {"web-asean": {"link": "javascript:alert(9)"}}}
        )
    assert fields_of(caught.value) == ["overrides.web-asean.link"]
    assert service.detail(post.id or 0).deliveries[0].overrides == {}


def test_good_overrides_are_kept(service: PostService) -> None:
    overrides = {
        "web-asean": {
            "title": "Đêm hội ASEAN",
            "link": "https://hue.gov.vn/asean",
            "hashtags": ["Huế", "ASEAN_2026"],
            "body": "Bản ngắn\ncó xuống dòng",
            "summary": "Tóm tắt",
        }
    }
    post = service.create(service.actor(OFFICER), post_input(overrides=overrides))
    assert service.detail(post.id or 0).deliveries[0].overrides == overrides["web-asean"]

"""Approving a post that would overrun a day's YouTube quota warns and names the day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from content.db import Database
from content.inputs import MediaRef
from content.models import Media
from content.posts import PostService
from scheduler.quota import PACIFIC, quota_day, quota_warnings
from tests.factories import post_input

# 08:00 on 2026-12-10 in Huế is 16:00 on 2026-12-09 in California.
MORNING_IN_HUE = datetime(2026, 12, 10, 1, 0, tzinfo=UTC)


def add_media(db: Database, sha: str, kind: str) -> None:
    with db.write() as session:
        mime = "video/mp4" if kind == "video" else "image/jpeg"
        session.add(
            Media(sha256=sha, kind=kind, mime=mime, size_bytes=1000, width=1280, height=720)
        )


def approve_video(service: PostService, number: int, at: datetime, thumbnail: bool = False) -> int:
    officer, editor = service.actor("cbtt.stttt"), service.actor("bientap")
    media = [MediaRef(f"{number:064x}")]
    if thumbnail:
        media.append(MediaRef("f" * 64, "Ảnh thu nhỏ"))
    post = service.create(
        officer,
        post_input(
            title=f"Video ASEAN số {number}",
            channels=["yt-hue-asean"],
            scheduled_at=at,
            media=media,
        ),
    )
    assert post.id is not None
    service.submit(officer, post.id)
    service.approve(editor, post.id)
    return post.id


def test_the_quota_day_is_the_pacific_day() -> None:
    day, start, end = quota_day(MORNING_IN_HUE)
    assert day == date(2026, 12, 9)
    assert start == datetime(2026, 12, 9, 0, 0, tzinfo=PACIFIC)
    assert end - start == timedelta(days=1)


def test_the_seventh_upload_of_a_day_is_over_the_quota(db: Database, service: PostService) -> None:
    for number in range(1, 8):
        add_media(db, f"{number:064x}", "video")
    ids = [approve_video(service, n, MORNING_IN_HUE + timedelta(minutes=n)) for n in range(1, 7)]
    with db.read() as session:
        assert all(quota_warnings(session, post_id) == [] for post_id in ids)  # 6 x 1600 = 9600
    seventh = approve_video(service, 7, MORNING_IN_HUE + timedelta(hours=2))
    with db.read() as session:
        (warning,) = quota_warnings(session, seventh)
    assert (warning.channel_id, warning.day, warning.units, warning.quota) == (
        "yt-hue-asean", date(2026, 12, 9), 7 * 1600, 10_000,
    )  # fmt: skip
    assert "09/12/2026" in warning.vi and "giờ Thái Bình Dương" in warning.vi
    assert "2026-12-09 (Pacific time)" in warning.en


def test_thumbnails_count_and_another_pacific_day_does_not(
    db: Database, service: PostService
) -> None:
    add_media(db, "f" * 64, "image")
    for number in range(1, 9):
        add_media(db, f"{number:064x}", "video")
    for n in range(1, 7):  # 6 x (1600 + 50) = 9900: still within the quota
        approve_video(service, n, MORNING_IN_HUE + timedelta(minutes=n), thumbnail=True)
    next_day = MORNING_IN_HUE + timedelta(hours=9)  # 01:00 on 2026-12-10 in California
    other_day = approve_video(service, 7, next_day)
    same_day = approve_video(service, 8, MORNING_IN_HUE + timedelta(hours=1), thumbnail=True)
    with db.read() as session:
        assert quota_warnings(session, other_day) == []
        (warning,) = quota_warnings(session, same_day)
    assert warning.units == 7 * 1650

"""The post page's header summary of deliveries that went partly out, "Nhân bản" (a draft copy
with the same texts, media and channels, without a time) and "Lặp lại hằng tuần" (a weekly
series created up front, each post its own, linked by a series id)."""

from __future__ import annotations

from datetime import UTC, datetime
from html import unescape

from fastapi.testclient import TestClient
from sqlmodel import select

from content.db import Database
from content.media import MediaStore
from content.models import AuditEvent, Delivery, DeliveryState, Post
from content.posts import PostService
from content.queries import deliveries_of, input_of
from content.timeutil import zone
from tests.factories import post_input
from tests.web.helpers import csrf_of
from web.services import WebServices

WHEN = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
TZ = zone("Asia/Ho_Chi_Minh")
D = DeliveryState


def set_delivery(db: Database, post_id: int, channel_id: str, state: str) -> None:
    with db.write() as session:
        delivery = session.exec(
            select(Delivery).where(Delivery.post_id == post_id, Delivery.channel_id == channel_id)
        ).one()
        delivery.state = state


def approved_post(service: PostService) -> int:
    officer, editor = service.actor("cbtt.stttt"), service.actor("bientap")
    post = service.create(
        officer, post_input(channels=["fb-asean-hue", "web-asean"], scheduled_at=WHEN)
    )
    assert post.id is not None
    service.submit(officer, post.id)
    service.approve(editor, post.id)
    return post.id


def header_of(html: str) -> str:
    text = unescape(html)
    return text[text.index('class="post-title"') : text.index('class="facts card"')]


def test_a_post_partly_published_says_so_in_its_header(
    db: Database, service: PostService, editor_client: TestClient
) -> None:
    post_id = approved_post(service)
    assert "kênh đã đăng" not in header_of(editor_client.get(f"/posts/{post_id}").text)
    set_delivery(db, post_id, "fb-asean-hue", D.published)
    header = header_of(editor_client.get(f"/posts/{post_id}").text)
    assert "1/2 kênh đã đăng" in header and "thất bại" not in header
    set_delivery(db, post_id, "web-asean", D.failed)
    assert "1/2 kênh đã đăng, 1 thất bại" in header_of(editor_client.get(f"/posts/{post_id}").text)
    english = header_of(editor_client.get(f"/posts/{post_id}?lang=en").text)
    assert "1 of 2 channels published, 1 failed" in english
    set_delivery(db, post_id, "web-asean", D.published)
    assert "kênh đã đăng" not in header_of(editor_client.get(f"/posts/{post_id}").text)


def test_duplicate_makes_a_draft_with_the_same_content_and_no_time(
    db: Database,
    service: PostService,
    web_services: WebServices,
    officer_client: TestClient,
) -> None:
    store: MediaStore = web_services.media
    assert store is not None
    post_id = approved_post(service)
    page = officer_client.get(f"/posts/{post_id}").text
    assert f'action="/posts/{post_id}/duplicate"' in page and "Nhân bản" in page
    answer = officer_client.post(
        f"/posts/{post_id}/duplicate",
        data={"csrf_token": csrf_of(officer_client)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    copy_id = int(answer.headers["location"].split("/")[2])
    assert answer.headers["location"] == f"/posts/{copy_id}/edit" and copy_id != post_id
    with db.read() as session:
        original, copy = session.get(Post, post_id), session.get(Post, copy_id)
        assert original is not None and copy is not None
        before = input_of(session, original, deliveries_of(session, post_id))
        after = input_of(session, copy, deliveries_of(session, copy_id))
        created = session.exec(
            select(AuditEvent).where(
                AuditEvent.post_id == copy_id, AuditEvent.action == "post.created"
            )
        ).one()
    assert copy.state == "draft" and copy.scheduled_at is None
    assert (after.title, after.body, after.hashtags, after.channels, after.media) == (
        before.title, before.body, before.hashtags, before.channels, before.media
    )  # fmt: skip
    assert created.actor == "cbtt.stttt" and created.detail["source"] == f"post #{post_id}"
    assert {d.state for d in deliveries_of_post(db, copy_id)} == {D.pending}


def deliveries_of_post(db: Database, post_id: int) -> list[Delivery]:
    with db.read() as session:
        return deliveries_of(session, post_id)


def test_another_departments_post_cannot_be_duplicated(
    service: PostService, officer_sdl_client: TestClient
) -> None:
    post_id = approved_post(service)
    answer = officer_sdl_client.post(
        f"/posts/{post_id}/duplicate",
        data={"csrf_token": csrf_of(officer_sdl_client)},
        follow_redirects=False,
    )
    assert answer.status_code == 404


def series_of(db: Database, post_id: int) -> list[Post]:
    with db.read() as session:
        original = session.get(Post, post_id)
        assert original is not None and original.series_id
        rows = session.exec(select(Post).where(Post.series_id == original.series_id)).all()
        return sorted(rows, key=lambda post: post.scheduled_at or WHEN)


def test_a_weekly_series_is_created_up_front_each_post_its_own(
    db: Database, service: PostService, officer_client: TestClient
) -> None:
    post_id = approved_post(service)  # Wed 2 Dec 2026, 09:00 in Hue
    page = officer_client.get(f"/posts/{post_id}").text
    assert f'href="/posts/{post_id}/repeat"' in page
    form = officer_client.get(f"/posts/{post_id}/repeat").text
    assert 'min="2026-12-09"' in form and "Thứ Tư, 02/12/2026 09:00" in form
    answer = officer_client.post(
        f"/posts/{post_id}/repeat",
        data={"csrf_token": csrf_of(officer_client), "until": "2026-12-23"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    posts = series_of(db, post_id)
    assert answer.headers["location"] == f"/my-posts?scope=all&series={posts[0].series_id}"
    assert [p.id == post_id for p in posts] == [True, False, False, False]
    days = [
        (p.scheduled_at.astimezone(TZ).strftime("%a %d/%m %H:%M")) for p in posts if p.scheduled_at
    ]
    assert days == ["Wed 02/12 09:00", "Wed 09/12 09:00", "Wed 16/12 09:00", "Wed 23/12 09:00"]
    # The original was approved: each new post waits for its own review.
    assert [p.state for p in posts] == ["approved", "in_review", "in_review", "in_review"]
    assert len({p.series_id for p in posts}) == 1
    listed = officer_client.get(answer.headers["location"]).text
    assert listed.count('class="my-post-title"') == 4
    again = officer_client.get(f"/posts/{post_id}").text
    assert f'href="/posts/{post_id}/repeat"' not in again  # already in a series


def test_a_series_end_before_the_next_week_is_refused_beside_the_field(
    db: Database, service: PostService, officer_client: TestClient
) -> None:
    post_id = approved_post(service)
    for until, words in (("2026-12-08", "09/12/2026"), ("2028-01-01", "tối đa 52"), ("x", "“x”")):
        answer = officer_client.post(
            f"/posts/{post_id}/repeat",
            data={"csrf_token": csrf_of(officer_client), "until": until},
            follow_redirects=False,
        )
        assert answer.status_code == 422 and words in unescape(answer.text), until
    with db.read() as session:
        assert session.exec(select(Post).where(Post.series_id.is_not(None))).all() == []  # type: ignore[union-attr]

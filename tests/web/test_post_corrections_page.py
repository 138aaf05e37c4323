"""The post page after a published post is corrected: per channel, what the platform took and,
plainly, what a person must still change by hand there, with the link to the post. The worker's
results are written as the corrector writes them (scheduler.corrections, tested against the
sandbox in tests/scheduler/test_corrections.py)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import select

from content.db import Database
from content.models import ChangeState, Delivery, DeliveryChange, DeliveryState
from content.posts import PostService
from tests.web.test_post_page import WHEN, delivery_on, make_post

D = DeliveryState
FB_URL = "https://www.facebook.com/100000000000001_42"


def published_on_facebook(db: Database, service: PostService) -> int:
    post_id = make_post(
        service, "approved", channels=["fb-asean-hue"], link="https://asean.example/tin"
    )
    with db.write() as session:
        row = session.get(Delivery, delivery_on(db, post_id, "fb-asean-hue").id)
        assert row is not None
        row.state, row.published_at, row.remote_id = D.published, WHEN, "100000000000001_42"
        row.remote_url = FB_URL
    return post_id


def test_a_correction_facebook_cannot_make_is_said_plainly_with_the_link(
    db: Database, service: PostService, editor_client: TestClient
) -> None:
    post_id = published_on_facebook(db, service)
    editor = service.actor("bientap")
    service.edit(editor, post_id, {"link": "https://asean.example/tin-moi", "body": "Đã sửa."})

    page = editor_client.get(f"/posts/{post_id}").text
    assert "Đã duyệt" in page  # the editor's correction keeps the post approved
    assert "Chỉnh sửa đang chờ gửi lên nền tảng" in page

    with db.write() as session:
        change = session.exec(select(DeliveryChange)).one()
        assert sorted(change.fields) == ["link", "text"]
        change.state, change.unchanged = ChangeState.done, ["link"]
    page = editor_client.get(f"/posts/{post_id}").text
    assert "Đã sửa trên nền tảng; Facebook không cho sửa liên kết — hãy sửa tay" in page
    assert f'href="{FB_URL}"' in page and "Mở bài trên nền tảng" in page
    english = editor_client.get(f"/posts/{post_id}?lang=en").text
    assert "Updated on the platform; Facebook cannot change a link: edit it by hand" in english


def test_a_correction_the_platform_took_entirely_says_so(
    db: Database, service: PostService, editor_client: TestClient
) -> None:
    post_id = published_on_facebook(db, service)
    service.edit(service.actor("bientap"), post_id, {"body": "Nội dung đã sửa."})
    with db.write() as session:
        change = session.exec(select(DeliveryChange)).one()
        change.state = ChangeState.done
    page = editor_client.get(f"/posts/{post_id}").text
    assert "Đã sửa trên nền tảng" in page and "hãy sửa tay" not in page
    assert "chờ gửi chỉnh sửa lên nền tảng" in page  # the history says it was queued


def test_a_post_the_platform_holds_shows_it_waits_for_its_time(
    db: Database, service: PostService, editor_client: TestClient
) -> None:
    post_id = make_post(service, "approved", channels=["web-asean"])
    with db.write() as session:
        row = session.get(Delivery, delivery_on(db, post_id, "web-asean").id)
        assert row is not None
        row.state, row.remote_id, row.due_at = D.handed_over, "42", WHEN
    page = editor_client.get(f"/posts/{post_id}").text
    assert "Đã giao nền tảng, chờ giờ đăng" in page
    assert "With the platform until its time" in editor_client.get(f"/posts/{post_id}?lang=en").text

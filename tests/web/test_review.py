"""The review queue through the real app: what is being approved (images with alt text, the text
folded when long, channels by platform and name), the message naming the post with "Hoàn tác",
and several posts approved or sent back at once, all or nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlmodel import select

from content.db import Database
from content.inputs import MediaRef
from content.models import AuditEvent, Delivery, DeliveryState, Post
from content.posts import PostService
from tests.factories import Clock, post_input
from tests.web.api_support import png
from tests.web.helpers import csrf_of
from web.services import WebServices

WHEN = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # Wed 09:00 in Hue
D = DeliveryState
LONG_BODY = "Huế chào mừng Ngày ASEAN. " * 40 + "ĐOẠN CUỐI"


def in_review(service: PostService, **fields: object) -> int:
    officer = service.actor("cbtt.stttt")
    values: dict[str, object] = {
        "channels": ["fb-asean-hue", "web-asean"],
        "scheduled_at": WHEN,
        **fields,
    }
    post = service.create(officer, post_input(**values))
    assert post.id is not None
    service.submit(officer, post.id)
    return post.id


def form(client: TestClient, url: str, **data: object) -> Response:
    return client.post(url, data={"csrf_token": csrf_of(client), **data}, follow_redirects=False)


def state_of(db: Database, post_id: int) -> str:
    with db.read() as session:
        post = session.get(Post, post_id)
        assert post is not None
        return post.state


def item_of(html: str, post_id: int) -> str:
    start = html.index(f'id="review-{post_id}"')
    return html[start : html.index("</section>", start)]


def test_the_queue_shows_images_text_and_channels_by_name(
    db: Database, service: PostService, web_services: WebServices, editor_client: TestClient
) -> None:
    with db.write() as session:
        photo = web_services.media.add(session, png(), name="le-thuong-co.png")
    refs = [MediaRef(photo.sha256, "Lễ thượng cờ ASEAN trước Ngọ Môn")]
    long_id = in_review(service, body=LONG_BODY, media=refs, title="Bài dài <b>đậm</b>")
    short_id = in_review(service, body="Ngắn gọn.", channels=["web-asean"])
    html = editor_client.get("/review").text
    long_item, short_item = item_of(html, long_id), item_of(html, short_id)
    assert f'src="/media/{photo.sha256}/thumb" alt="Lễ thượng cờ ASEAN trước Ngọ Môn"' in long_item
    assert "<details" in long_item and "ĐOẠN CUỐI" in long_item
    assert "ĐOẠN CUỐI" not in long_item[: long_item.index("<details")]
    assert "<details" not in short_item and "Ngắn gọn." in short_item
    assert "&lt;b&gt;đậm&lt;/b&gt;" in long_item and "<b>đậm" not in long_item
    channels = unescape(re.sub(r"<[^>]+>", "", long_item[long_item.index("review-channels") :]))
    assert "Facebook fb-asean-hue" in channels and "Trang web web-asean" in channels
    assert "Sở Thông tin và Truyền thông" in long_item
    english = item_of(editor_client.get("/review?lang=en").text, short_id)
    assert "Website" in english and "Department of Information and Communications" in english


def test_approving_names_the_post_and_undo_returns_it_to_review(
    db: Database, service: PostService, editor_client: TestClient
) -> None:
    post_id = in_review(service, title="Lễ thượng cờ")
    page = editor_client.get("/review").text
    assert f'value="/review?done=approved&amp;posts={post_id}"' in page
    answer = form(
        editor_client, f"/posts/{post_id}/approve", next=f"/review?done=approved&posts={post_id}"
    )
    assert answer.headers["location"] == f"/review?done=approved&posts={post_id}"
    assert state_of(db, post_id) == "approved"
    done = unescape(editor_client.get(answer.headers["location"]).text)
    assert f"Đã duyệt bài #{post_id} “Lễ thượng cờ”." in done
    assert 'action="/review/undo"' in done and "Hoàn tác" in done
    undone = form(editor_client, "/review/undo", posts=[post_id])
    assert undone.headers["location"] == f"/review?done=reopened&posts={post_id}"
    assert state_of(db, post_id) == "in_review"
    with db.read() as session:
        event = session.exec(
            select(AuditEvent).where(
                AuditEvent.post_id == post_id, AuditEvent.action == "post.reopened"
            )
        ).one()
        states = {
            d.state for d in session.exec(select(Delivery).where(Delivery.post_id == post_id))
        }
    assert event.actor == "bientap" and event.detail["state"] == ["approved", "in_review"]
    assert event.detail["undone"] == "approved" and states == {D.pending}
    after = unescape(editor_client.get(undone.headers["location"]).text)
    assert f"bài #{post_id} “Lễ thượng cờ” trở lại chờ duyệt" in after
    assert 'action="/review/undo"' not in after and f'id="review-{post_id}"' in after
    history = unescape(editor_client.get(f"/posts/{post_id}").text)
    assert "bientap</strong> hoàn tác quyết định duyệt" in history


def test_undoing_a_rejection_clears_its_reason(
    db: Database, service: PostService, editor_client: TestClient
) -> None:
    post_id = in_review(service)
    form(editor_client, f"/posts/{post_id}/reject", comment="Thiếu nguồn ảnh")
    assert "Hoàn tác" in editor_client.get(f"/review?done=rejected&posts={post_id}").text
    form(editor_client, "/review/undo", posts=[post_id])
    with db.read() as session:
        post = session.get(Post, post_id)
        assert post is not None
    assert post.state == "in_review" and post.review_comment is None


def test_undo_is_refused_once_a_delivery_went_out(
    db: Database, service: PostService, editor_client: TestClient
) -> None:
    post_id = in_review(service, title="Đã lên Facebook")
    service.approve(service.actor("bientap"), post_id)
    with db.write() as session:
        delivery = session.exec(
            select(Delivery).where(
                Delivery.post_id == post_id, Delivery.channel_id == "fb-asean-hue"
            )
        ).one()
        delivery.state = D.published
    answer = form(editor_client, "/review/undo", posts=[post_id])
    text = unescape(answer.text)
    assert answer.status_code == 422
    assert f"Không hoàn tác được bài #{post_id} “Đã lên Facebook”" in text
    assert "fb-asean-hue" in text and "Không bài nào được thay đổi." in text
    assert state_of(db, post_id) == "approved"


def test_several_posts_approved_at_once(
    db: Database, service: PostService, editor_client: TestClient
) -> None:
    first, second, third = (in_review(service, title=f"Bài {n}") for n in (1, 2, 3))
    page = editor_client.get("/review").text
    assert 'id="review-many"' in page and page.count('form="review-many"') == 3
    answer = form(editor_client, "/review/approve", posts=[first, third], comment="Tốt")
    assert answer.headers["location"] == f"/review?done=approved&posts={first},{third}"
    assert [state_of(db, p) for p in (first, second, third)] == [
        "approved",
        "in_review",
        "approved",
    ]
    done = unescape(editor_client.get(answer.headers["location"]).text)
    assert f"Đã duyệt 2 bài: #{first} “Bài 1”, #{third} “Bài 3”." in done
    form(editor_client, "/review/undo", posts=[first, third])
    assert [state_of(db, p) for p in (first, third)] == ["in_review", "in_review"]


def test_a_rejection_reason_applies_to_all_and_is_required(
    db: Database, service: PostService, editor_client: TestClient
) -> None:
    first, second = in_review(service), in_review(service)
    blank = form(editor_client, "/review/reject", posts=[first, second], comment="  ")
    assert blank.status_code == 422 and "Hãy ghi lý do trả lại" in blank.text
    assert f'value="{first}" form="review-many" checked' in blank.text
    assert [state_of(db, p) for p in (first, second)] == ["in_review", "in_review"]
    answer = form(editor_client, "/review/reject", posts=[first, second], comment="Thiếu nguồn")
    assert answer.status_code == 303
    with db.read() as session:
        posts = [session.get(Post, p) for p in (first, second)]
    assert [(p.state, p.review_comment) for p in posts if p] == [("rejected", "Thiếu nguồn")] * 2


def test_one_post_that_cannot_change_stops_the_whole_batch(
    db: Database, service: PostService, clock: Clock, editor_client: TestClient
) -> None:
    fine = in_review(service, title="Bài đúng giờ")
    late = in_review(
        service, title="Bài quá giờ", scheduled_at=datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    )
    clock.advance(hours=2)  # the second post's time has passed meanwhile
    answer = form(editor_client, "/review/approve", posts=[fine, late])
    text = unescape(answer.text)
    assert answer.status_code == 422
    assert f"Không duyệt được bài #{late} “Bài quá giờ”" in text and "đã qua" in text
    assert "Không bài nào được thay đổi." in text
    assert [state_of(db, p) for p in (fine, late)] == ["in_review", "in_review"]
    nothing = form(editor_client, "/review/approve")
    assert nothing.status_code == 422 and "Hãy chọn ít nhất một bài." in nothing.text


def test_officers_cannot_decide_nor_undo(
    db: Database, service: PostService, officer_client: TestClient, tmp_path: Path
) -> None:
    post_id = in_review(service)
    page = officer_client.get("/review").text
    assert 'form="review-many"' not in page and 'id="review-many"' not in page
    for url in ("/review/approve", "/review/reject", "/review/undo"):
        answer = form(officer_client, url, posts=[post_id], comment="x")
        assert answer.status_code == 403, url
    assert state_of(db, post_id) == "in_review"

"""“Bài của tôi” through the real app: the person's posts grouped by stage with the reason for a
post sent back and the next action, the menu entry, and the search within what they may see."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

from fastapi.testclient import TestClient
from sqlmodel import select

from content.db import Database
from content.models import Delivery, DeliveryState
from content.posts import PostService
from tests.factories import post_input

WHEN = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
D = DeliveryState
TWO = ["fb-asean-hue", "web-asean"]


def make(service: PostService, title: str, who: str = "cbtt.stttt", **fields: object) -> int:
    values: dict[str, object] = {"title": title, "channels": TWO, "scheduled_at": WHEN, **fields}
    post = service.create(service.actor(who), post_input(**values))
    assert post.id is not None
    return post.id


def group(html: str, stage: str) -> str:
    start = html.index(f'id="stage-{stage}"')
    return unescape(html[start : html.index("</section>", start)])


def plain(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_my_posts_by_stage_with_reasons_and_next_actions(
    db: Database, service: PostService, officer_client: TestClient
) -> None:
    officer, editor = service.actor("cbtt.stttt"), service.actor("bientap")
    draft = make(service, "Bài nháp")
    sent_back = make(service, "Bài bị trả lại <i>x</i>")
    failed = make(service, "Bài lỗi một kênh")
    waiting = make(service, "Bài chờ duyệt")
    make(service, "Bài của biên tập viên", who="bientap")
    for post_id in (sent_back, failed, waiting):
        service.submit(officer, post_id)
    service.reject(editor, sent_back, "Thiếu nguồn ảnh")
    service.approve(editor, failed)
    with db.write() as session:
        for delivery in session.exec(select(Delivery).where(Delivery.post_id == failed)).all():
            delivery.state = D.published if delivery.channel_id == "web-asean" else D.failed
    page = officer_client.get("/my-posts")
    html = page.text
    assert page.status_code == 200
    assert '<a href="/my-posts" aria-current="page">Bài của tôi</a>' in html
    order = [html.index(f'id="stage-{s}"') for s in ("rejected", "failed", "draft", "in_review")]
    assert order == sorted(order)
    rejected = group(html, "rejected")
    assert "Bị trả lại" in rejected and "Lý do trả lại:" in rejected
    assert "Thiếu nguồn ảnh" in rejected and "<i>x</i>" not in html.replace("&lt;i&gt;", "")
    assert f'href="/posts/{sent_back}/edit">Sửa và gửi lại' in rejected
    assert f'href="/posts/{draft}/edit">Sửa tiếp' in group(html, "draft")
    assert f'href="/posts/{waiting}">Xem' in group(html, "in_review")
    failing = plain(group(html, "failed"))
    assert "1/2 kênh đã đăng · 1 kênh thất bại" in failing and "Facebook · fb-asean-hue" in failing
    assert "Bài của biên tập viên" not in html  # another author's: only with "every post"
    assert "Bài của biên tập viên" in officer_client.get("/my-posts?scope=all").text
    english = officer_client.get("/my-posts?lang=en").text
    assert "Edit and resubmit" in english and "Sent back" in english


def test_the_menu_offers_it_to_officers_and_editors(
    officer_client: TestClient, editor_client: TestClient
) -> None:
    for client in (officer_client, editor_client):
        assert 'href="/my-posts"' in client.get("/calendar").text


def test_search_by_text_hashtag_topic_and_department(
    service: PostService, editor_client: TestClient, officer_sdl_client: TestClient
) -> None:
    make(service, "Lễ thượng cờ", hashtags=["Huế", "ASEAN"])
    make(service, "Hội chợ thương mại", topic="b", body="Gian hàng của các nước ASEAN")
    make(service, "Du lịch mùa thu", who="cbtt.sdl", department="SDL", channels=["fb-dulich-hue"])

    def found(client: TestClient, query: str) -> list[str]:
        html = client.get(f"/my-posts?scope=all&{query}").text
        return sorted(
            unescape(t) for t in re.findall(r'class="my-post-title"[^>]*>#\d+ · ([^<]*)<', html)
        )

    assert found(editor_client, "q=gian+h%C3%A0ng") == ["Hội chợ thương mại"]
    assert found(editor_client, "hashtag=%23Hu%E1%BA%BF") == ["Lễ thượng cờ"]
    assert found(editor_client, "topic=b") == ["Hội chợ thương mại"]
    assert found(editor_client, "department=SDL") == ["Du lịch mùa thu"]
    assert found(editor_client, "") == ["Du lịch mùa thu", "Hội chợ thương mại", "Lễ thượng cờ"]
    # An officer searches their own department only, and is offered no department choice.
    assert found(officer_sdl_client, "department=STTTT") == ["Du lịch mùa thu"]
    assert 'name="department"' not in officer_sdl_client.get("/my-posts").text
    nothing = editor_client.get("/my-posts?q=kh%C3%B4ng+c%C3%B3").text
    assert "Không có bài nào khớp." in nothing and 'value="không có"' in nothing


def test_someone_without_posts_is_invited_to_write_one(officer_sdl_client: TestClient) -> None:
    html = officer_sdl_client.get("/my-posts").text
    assert "Bạn chưa viết bài nào." in html and 'href="/compose"' in html

"""The composer through the real app: saving and submitting, problems beside their fields with
the input kept and nothing saved, media upload checked by content, previews with counters and
problems, editing, and escaping of markup."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from PIL import Image
from sqlalchemy import func
from sqlmodel import select

from content.db import Database
from content.models import Delivery, Post, PostMedia
from content.posts import PostService
from tests.factories import post_input
from tests.web.conftest import ClientFor
from tests.web.helpers import csrf_of

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'


def png(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 40)).save(out, "PNG")
    return out.getvalue()


def form(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "Lễ thượng cờ ASEAN tại Huế",
        "body": "Sáng 8/8, tỉnh tổ chức lễ thượng cờ ASEAN.",
        "link": "",
        "hashtags": "#ASEAN Hue",
        "topic": "a",
        "pillar": "ASCC",
        "channels": ["web-asean"],
        "timing": "at",
        "at": "2026-12-03T14:00",
        "missed_policy": "publish_late",
        "action": "draft",
    }
    values.update(changes)
    return values


def send(client: TestClient, url: str = "/compose", **changes: Any) -> Response:
    data = {"csrf_token": csrf_of(client), **form(**changes)}
    return client.post(url, data=data, follow_redirects=False)


def count_posts(db: Database) -> int:
    with db.read() as session:
        return int(session.exec(select(func.count()).select_from(Post)).one())


def only_post(db: Database) -> Post:
    with db.read() as session:
        return session.exec(select(Post)).one()


def upload(client: TestClient, name: str, content: bytes, mime: str = "image/png") -> Response:
    return client.post(
        "/media",
        files={"file": (name, content, mime)},
        headers={"X-CSRF-Token": csrf_of(client)},
    )


def test_the_form_offers_topics_pillars_and_the_channels_one_may_use(
    officer_client: TestClient, officer_sdl_client: TestClient, editor_client: TestClient
) -> None:
    page = officer_client.get("/compose")
    assert page.status_code == 200
    html = page.text
    assert "Sự kiện thường niên của ASEAN" in html and "Cộng đồng Kinh tế" in html
    assert 'value="web-asean"' in html and 'value="fb-dulich-hue"' not in html
    assert "Khung giờ trống tiếp theo" in html and "Gửi duyệt" in html and "Lưu nháp" in html
    assert 'src="/static/composer.js"' in html and 'name="csrf_token"' in html
    assert 'value="fb-dulich-hue"' in officer_sdl_client.get("/compose").text
    assert 'name="department"' in editor_client.get("/compose").text
    assert 'name="department"' not in html  # an officer writes for their own department


def test_save_a_draft_through_the_form(db: Database, officer_client: TestClient) -> None:
    answer = send(officer_client)
    assert answer.status_code == 303
    post = only_post(db)
    assert answer.headers["location"] == f"/posts/{post.id}?done=saved"
    assert (post.state, post.department_code, post.hashtags) == ("draft", "STTTT", ["ASEAN", "Hue"])
    assert post.scheduled_at == datetime(2026, 12, 3, 7, 0, tzinfo=UTC)  # 14:00 in Hue
    assert "Đã lưu bài." in officer_client.get(answer.headers["location"]).text


def test_submit_through_the_form_with_overrides(db: Database, officer_client: TestClient) -> None:
    answer = send(
        officer_client,
        action="submit",
        channels=["web-asean", "fb-asean-hue"],
        **{"ov.fb-asean-hue.title": "Tiêu đề cho Facebook", "ov.web-asean.summary": ""},
    )
    assert answer.status_code == 303, answer.text
    post = only_post(db)
    assert post.state == "in_review"
    with db.read() as session:
        deliveries = {
            d.channel_id: d.overrides
            for d in session.exec(select(Delivery).where(Delivery.post_id == post.id)).all()
        }
    assert deliveries == {"fb-asean-hue": {"title": "Tiêu đề cho Facebook"}, "web-asean": {}}


def test_next_free_slot(db: Database, officer_client: TestClient) -> None:
    answer = send(officer_client, timing="next", at="", action="submit")
    assert answer.status_code == 303, answer.text
    post = only_post(db)
    # web-asean's slots are mon-fri 07:30 and 14:00; the test clock is Tue 08:00 in Hue.
    assert post.scheduled_at == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


def test_problems_are_shown_beside_their_fields_and_the_input_is_kept(
    db: Database, officer_client: TestClient
) -> None:
    answer = send(
        officer_client,
        title="   ",
        body=f"Nội dung {SCRIPT}",
        link="javascript:alert(1)",
        hashtags="ASEAN",
        topic="z",
        at="ngày mai",
    )
    assert answer.status_code == 422
    html = answer.text
    for name in ("title", "link", "topic", "at"):
        assert f'id="{name}-error"' in html, name
    assert (
        "Cần có tiêu đề." in html and "không hợp lệ" in html and "Không đọc được thời gian" in html
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and SCRIPT not in html  # kept, escaped
    assert 'value="javascript:alert(1)"' in html and 'value="ngày mai"' in html
    assert count_posts(db) == 0
    english = officer_client.post(
        "/compose?lang=en",
        data={"csrf_token": csrf_of(officer_client), **form(title="")},
        follow_redirects=False,
    )
    assert "A title is required." in english.text


def test_submitting_without_a_time_saves_nothing(db: Database, officer_client: TestClient) -> None:
    answer = send(officer_client, timing="later", at="", action="submit")
    assert answer.status_code == 422
    assert 'id="at-error"' in answer.text and "trước khi gửi duyệt" in answer.text
    assert count_posts(db) == 0
    past = send(officer_client, at="2026-11-20T08:00", action="submit")
    assert past.status_code == 422 and "đã qua" in past.text
    assert count_posts(db) == 0  # the insert and the refused submission were one transaction


def test_an_officer_cannot_use_another_departments_channel(
    db: Database, officer_client: TestClient
) -> None:
    answer = send(officer_client, channels=["fb-dulich-hue"])
    assert answer.status_code == 422
    assert 'id="channels-error"' in answer.text and "fb-dulich-hue" in answer.text
    assert count_posts(db) == 0


def test_upload_a_real_png_and_serve_it(
    officer_client: TestClient, client: TestClient, db: Database
) -> None:
    answer = upload(officer_client, "co-asean.png", png())
    assert answer.status_code == 201, answer.text
    media = answer.json()
    assert (media["kind"], media["width"], media["height"]) == ("image", 64, 48)
    assert re.fullmatch(r"[0-9a-f]{64}", media["sha256"])
    thumb = officer_client.get(media["thumbnail_url"])
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert thumb.headers["x-content-type-options"] == "nosniff"
    assert thumb.content.startswith(b"\xff\xd8")
    original = officer_client.get(f"/media/{media['sha256']}")
    assert original.headers["content-type"] == "image/png" and original.content == png()
    anonymous = client.get(media["thumbnail_url"], follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    assert officer_client.get("/media/" + "0" * 64).status_code == 404
    assert officer_client.get("/media/..%2F..%2Fetc/thumb").status_code == 404

    saved = send(officer_client, media_sha=media["sha256"], media_alt="Lễ thượng cờ")
    assert saved.status_code == 303
    with db.read() as session:
        link = session.exec(select(PostMedia)).one()
    assert (link.media_sha256, link.alt_text) == (media["sha256"], "Lễ thượng cờ")
    page = officer_client.get(saved.headers["location"]).text
    assert f"/media/{media['sha256']}/thumb" in page


def test_a_text_file_renamed_png_is_refused(officer_client: TestClient) -> None:
    answer = upload(officer_client, "anh.png", b"just some text, not an image\n" * 10)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid_media" and "anh.png" in error["message"]
    assert "ảnh PNG" in error["message"]


def test_upload_without_csrf_is_refused(officer_client: TestClient) -> None:
    answer = officer_client.post("/media", files={"file": ("a.png", png(), "image/png")})
    assert answer.status_code == 403


def test_files_sent_with_the_form_without_javascript(
    db: Database, officer_client: TestClient
) -> None:
    data = {"csrf_token": csrf_of(officer_client), **form()}
    answer = officer_client.post(
        "/compose",
        data=data,
        files=[("upload", ("hue.png", png(), "image/png"))],
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    with db.read() as session:
        assert len(session.exec(select(PostMedia)).all()) == 1
    refused = officer_client.post(
        "/compose",
        data={"csrf_token": csrf_of(officer_client), **form()},
        files=[("upload", ("notes.png", b"plain text " * 20, "image/png"))],
        follow_redirects=False,
    )
    assert refused.status_code == 422 and 'id="media-error"' in refused.text
    assert "notes.png" in refused.text
    assert count_posts(db) == 1


def test_limits_for_the_live_counters(officer_client: TestClient) -> None:
    limits = officer_client.get("/compose/limits.json").json()
    assert {"facebook_page", "wordpress", "youtube", "zalo_oa"} <= set(limits["channels"])
    assert limits["near_ratio"] == 0.9 and "plain_text" in limits["measures"]


def test_preview_shows_counters_and_problems(officer_client: TestClient) -> None:
    data = {
        "csrf_token": csrf_of(officer_client),
        **form(
            title=f"Tiêu đề {SCRIPT}",
            body="x" * 2100,
            channels=["zalo-asean-hue", "fb-asean-hue"],
        ),
    }
    answer = officer_client.post("/compose/preview", data=data)
    assert answer.status_code == 200
    channels = {item["channel_id"]: item for item in answer.json()["channels"]}
    zalo = channels["zalo-asean-hue"]
    assert zalo["ok"] is False and zalo["problems"]  # Zalo needs a cover image
    title = next(f for f in zalo["fields"] if f["field"] == "title")
    assert title["text"] == f"Tiêu đề {SCRIPT}" and title["length"] == len(title["text"])
    assert title["limit"] and title["over"] in (True, False)
    body = next(f for f in channels["fb-asean-hue"]["fields"] if f["field"] == "message")
    assert body["length"] >= 2100


def test_the_server_rendered_preview_escapes_markup(
    db: Database, officer_client: TestClient
) -> None:
    answer = send(
        officer_client,
        action="preview",
        title=f"Tin {SCRIPT}",
        body=f"Ảnh {IMG}",
        channels=["zalo-asean-hue", "web-asean"],
    )
    assert answer.status_code == 200
    html = answer.text
    assert SCRIPT not in html and IMG not in html
    assert "&lt;img src=x onerror=" in html
    assert 'class="counter' in html and "Cần sửa:" in html  # Zalo's missing cover
    assert count_posts(db) == 0


@pytest.mark.parametrize(
    ("username", "status"),
    [("cbtt.stttt", 200), ("cbtt.sdl", 404), ("bientap", 200), ("admin", 200)],
)
def test_who_may_edit(
    service: PostService, client_for: ClientFor, username: str, status: int
) -> None:
    post = service.create(service.actor("cbtt.stttt"), post_input(title=f"Bài {SCRIPT}"))
    page = client_for(username).get(f"/posts/{post.id}/edit")
    assert page.status_code == status
    if status == 200:
        assert "&lt;script&gt;" in page.text and SCRIPT not in page.text
        assert 'name="version" value="1"' in page.text
    else:
        assert "Traceback" not in page.text and f"Không có bài #{post.id}." in page.text
        assert "STTTT" not in page.text  # not even which department owns it


def test_edit_through_the_form(db: Database, service: PostService, client_for: ClientFor) -> None:
    post = service.create(
        service.actor("cbtt.stttt"), post_input(hashtags=["ASEAN"], channels=["web-asean"])
    )
    client = client_for("cbtt.stttt")
    url = f"/posts/{post.id}/edit"
    answer = send(client, url, title="Tiêu đề mới", version="1", action="submit")
    assert answer.status_code == 303, answer.text
    changed = only_post(db)
    assert (changed.title, changed.state, changed.version) == ("Tiêu đề mới", "in_review", 3)
    stale = send(client, url, title="Cũ", version="1")
    assert stale.status_code == 409 and "người khác" in stale.text
    refused = send(client_for("cbtt.sdl"), url, title="Không được")
    assert refused.status_code == 404
    assert only_post(db).title == "Tiêu đề mới"

"""The bell, /notifications and /account/notifications over HTTP, on the seeded database."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlmodel import col, select

from content.db import Database
from content.models import AuditEvent, Notification, User
from content.posts import PostService
from tests.factories import Clock, post_input
from tests.web.helpers import csrf_of

WHEN = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
BELL = re.compile(r'<a class="bell[^"]*" href="/notifications" aria-label="([^"]+)"')


def submit(service: PostService, title: str, username: str = "cbtt.stttt") -> int:
    officer = service.actor(username)
    post = service.create(officer, post_input(title=title, scheduled_at=WHEN))
    service.submit(officer, post.id)
    assert post.id is not None
    return post.id


def bell(client: TestClient, path: str = "/calendar") -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = BELL.search(page.text)
    assert found is not None, "no bell in the header"
    return found.group(1)


def ids_of(db: Database, username: str) -> list[int]:
    with db.read() as session:
        user = session.exec(select(User).where(User.username == username)).one()
        query = select(Notification.id).where(Notification.user_id == user.id)
        return [i for i in session.exec(query.order_by(Notification.id)).all() if i is not None]


def test_the_bell_counts_unread_and_the_page_lists_newest_first(
    service: PostService, editor_client: TestClient, clock: Clock
) -> None:
    assert bell(editor_client) == "Thông báo: 0 chưa đọc"
    first = submit(service, "Lễ thượng cờ ASEAN")
    clock.advance(minutes=5)
    second = submit(service, "Tuần phim ASEAN")
    assert bell(editor_client) == "Thông báo: 2 chưa đọc"

    page = editor_client.get("/notifications")
    assert page.status_code == 200
    text = page.text
    assert text.index("Tuần phim ASEAN") < text.index("Lễ thượng cờ ASEAN")
    assert "Bài mới chờ duyệt: «Tuần phim ASEAN»" in text
    assert f"đã gửi bài #{second} «Tuần phim ASEAN» để duyệt" in text
    assert bell(editor_client, "/calendar?lang=en") == "Notifications: 2 unread"
    english = editor_client.get("/notifications?lang=en").text
    assert "New post to review: “Tuần phim ASEAN”" in english and "Mark all read" in english
    assert first != second


def test_opening_one_marks_it_read_and_goes_to_the_post(
    service: PostService, editor_client: TestClient, db: Database
) -> None:
    post_id = submit(service, "Lễ thượng cờ ASEAN")
    [note] = ids_of(db, "bientap")
    opened = editor_client.get(f"/notifications/{note}", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == f"/posts/{post_id}"
    assert bell(editor_client) == "Thông báo: 0 chưa đọc"


def test_mark_read_and_mark_all_need_csrf_and_touch_only_ones_own(
    service: PostService, editor_client: TestClient, admin_client: TestClient, db: Database
) -> None:
    submit(service, "Một")
    submit(service, "Hai")
    mine = ids_of(db, "bientap")
    theirs = ids_of(db, "admin")
    refused = editor_client.post(f"/notifications/{mine[0]}/read", follow_redirects=False)
    assert refused.status_code == 403
    token = csrf_of(editor_client)
    done = editor_client.post(
        f"/notifications/{mine[0]}/read", data={"csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/notifications"
    assert bell(editor_client) == "Thông báo: 1 chưa đọc"
    # Someone else's notification: nothing happens to it.
    editor_client.post(f"/notifications/{theirs[0]}/read", data={"csrf_token": token})
    assert (
        editor_client.get(f"/notifications/{theirs[0]}", follow_redirects=False).headers["location"]
        == "/notifications"
    )
    assert bell(admin_client) == "Thông báo: 2 chưa đọc"

    editor_client.post("/notifications/read-all", data={"csrf_token": token})
    assert bell(editor_client) == "Thông báo: 0 chưa đọc"
    assert bell(admin_client) == "Thông báo: 2 chưa đọc"


def test_choices_are_saved_per_person_and_obeyed(
    service: PostService, officer_client: TestClient, db: Database
) -> None:
    page = officer_client.get("/account/notifications")
    assert page.status_code == 200
    assert "Bài của tôi bị trả lại (kèm lý do)" in page.text
    assert "Kênh cần kết nối lại" not in page.text  # administrators' only
    assert (
        'name="page:post_approved" aria-label="Bài của tôi được duyệt — Trong trang" checked'
        in (page.text)
    )
    token = csrf_of(officer_client)
    bad = officer_client.post(
        "/account/notifications",
        data={"csrf_token": token, "email": "không-phải-email", "page:post_rejected": "on"},
    )
    assert bad.status_code == 422 and "Địa chỉ e-mail chưa đúng" in bad.text

    saved = officer_client.post(
        "/account/notifications",
        data={"csrf_token": token, "email": "cbtt@stttt.hue.gov.vn", "page:post_rejected": "on",
              "mail:post_rejected": "on"},
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303
    again = officer_client.get(saved.headers["location"]).text
    assert "Đã lưu lựa chọn của bạn." in again and 'value="cbtt@stttt.hue.gov.vn"' in again

    editor = service.actor("bientap")
    approved = submit(service, "Được duyệt")
    service.approve(editor, approved)
    rejected = submit(service, "Bị trả lại")
    service.reject(editor, rejected, "Thiếu ảnh")
    with db.read() as session:
        rows = session.exec(select(Notification).join(User).where(User.username == "cbtt.stttt"))
        [row] = rows.all()  # approvals turned off in the page and by e-mail
    assert (row.event, row.email_to, row.email_state) == (
        "post_rejected", "cbtt@stttt.hue.gov.vn", "queued",
    )  # fmt: skip
    assert "Lý do: Thiếu ảnh" in officer_client.get("/notifications").text


def test_signed_out_people_are_sent_to_sign_in(client: TestClient) -> None:
    assert client.get("/notifications", follow_redirects=False).status_code in (303, 401)
    assert client.get("/account/notifications", follow_redirects=False).status_code in (303, 401)


def test_changing_ones_own_email_on_the_page_is_in_the_audit_trail(
    officer_client: TestClient, db: Database
) -> None:
    def email_changes() -> list[AuditEvent]:
        with db.read() as session:
            query = select(AuditEvent).where(AuditEvent.action == "user.update")
            return list(session.exec(query.order_by(col(AuditEvent.id))).all())

    token = csrf_of(officer_client)
    for address in ("cbtt@stttt.hue.gov.vn", "cbtt@stttt.hue.gov.vn", ""):  # set, kept, cleared
        saved = officer_client.post(
            "/account/notifications",
            data={"csrf_token": token, "email": address, "page:post_rejected": "on"},
            follow_redirects=False,
        )
        assert saved.status_code == 303, saved.text

    changed, cleared = email_changes()  # saving it unchanged records nothing
    assert changed.actor == cleared.actor == "cbtt.stttt"  # by the person themselves
    assert changed.detail["username"] == "cbtt.stttt"
    assert changed.detail["changes"] == {"email": [None, "cbtt@stttt.hue.gov.vn"]}
    assert cleared.detail["changes"] == {"email": ["cbtt@stttt.hue.gov.vn", None]}

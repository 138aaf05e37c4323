"""The post page and the review queue through the real app: what is shown (the post, its
deliveries' evidence, its history), who may act (officer of the department, officer of another
department, editor, admin), retry and cancel of one delivery, escaping, and clear refusals."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from itertools import pairwise

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlmodel import select

from content.db import Database
from content.models import Attempt, AuditEvent, Delivery, DeliveryState, Post
from content.posts import PostService
from tests.factories import Clock, post_input
from tests.web.conftest import ClientFor
from tests.web.helpers import csrf_of

WHEN = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # Wed 09:00 in Hue
D = DeliveryState
SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'


def make_post(service: PostService, state: str = "draft", **fields: object) -> int:
    officer, editor = service.actor("cbtt.stttt"), service.actor("bientap")
    values: dict[str, object] = {
        "channels": ["fb-asean-hue", "web-asean"],
        "scheduled_at": WHEN,
        **fields,
    }
    post = service.create(officer, post_input(**values))
    assert post.id is not None
    if state in ("in_review", "approved", "rejected"):
        service.submit(officer, post.id)
    if state == "approved":
        service.approve(editor, post.id, "Tốt")
    if state == "rejected":
        service.reject(editor, post.id, "Thiếu nguồn ảnh")
    return post.id


def post_state(db: Database, post_id: int) -> str:
    with db.read() as session:
        post = session.get(Post, post_id)
        assert post is not None
        return post.state


def delivery_on(db: Database, post_id: int, channel_id: str) -> Delivery:
    with db.read() as session:
        return session.exec(
            select(Delivery).where(Delivery.post_id == post_id, Delivery.channel_id == channel_id)
        ).one()


def fail_delivery(db: Database, post_id: int, channel_id: str, state: str = D.failed) -> int:
    with db.write() as session:
        delivery = session.exec(
            select(Delivery).where(Delivery.post_id == post_id, Delivery.channel_id == channel_id)
        ).one()
        assert delivery.id is not None
        delivery.state, delivery.attempts = state, 1
        delivery.last_error = "Rejected: (#100) link not allowed"
        session.add(
            Attempt(
                delivery_id=delivery.id, number=1, worker_id="w1", started_at=WHEN,
                finished_at=WHEN + timedelta(seconds=3), outcome="failed",
                error_kind="Rejected", error_message=f"(#100) link not allowed {SCRIPT}",
            )
        )  # fmt: skip
        return delivery.id


def post_form(client: TestClient, url: str, **data: str) -> Response:
    return client.post(url, data={"csrf_token": csrf_of(client), **data}, follow_redirects=False)


def test_the_page_shows_the_post_evidence_and_history(
    db: Database, service: PostService, editor_client: TestClient
) -> None:
    post_id = make_post(service, "approved", link="https://asean.example/tin")
    fail_delivery(db, post_id, "fb-asean-hue")
    with db.write() as session:
        web = delivery_on(db, post_id, "web-asean")
        row = session.get(Delivery, web.id)
        assert row is not None
        row.state, row.published_at = D.published, WHEN
        row.remote_url = "https://asean.thuathienhue.gov.vn/?p=42"
    page = editor_client.get(f"/posts/{post_id}")
    assert page.status_code == 200
    html = page.text
    assert "Ngày ASEAN 8/8" in html and "Đã duyệt" in html
    assert "Thứ Tư, 02/12/2026 09:00" in html  # due time in local time, Vietnamese style
    assert "Nền tảng từ chối bài" in html and "(#100) link not allowed" in html  # plain words
    assert 'href="https://asean.thuathienhue.gov.vn/?p=42"' in html  # the public link
    assert "Trần Văn Minh" in html or "cbtt.stttt" in html  # who created it
    assert "tạo bài" in html and "gửi duyệt" in html and "duyệt bài" in html  # history
    assert "“Tốt”" in html  # the approval comment in the history
    assert f"/posts/{post_id}/deliveries/" in html and "Thử lại" in html
    english = editor_client.get(f"/posts/{post_id}?lang=en").text
    assert "The platform refused the post" in english and "Wed 2 Dec 2026, 09:00" in english


def history_lines(html: str) -> list[str]:
    """The history's entries as a reader gets them: tags dropped, spaces as they come."""
    history = html.split('<ol class="history">', 1)[1].split("</ol>", 1)[0]
    items = re.findall(r"<li>(.*?)</li>", history, flags=re.S)
    return [unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in items]


def test_the_history_keeps_the_action_and_the_state_change_apart(
    service: PostService, editor_client: TestClient
) -> None:
    post_id = make_post(service, "approved")
    lines = history_lines(editor_client.get(f"/posts/{post_id}").text)
    approved = next(line for line in lines if "duyệt bài" in line and "→" in line)
    assert re.search(r"duyệt bài · Chờ duyệt → Đã duyệt\b", approved), approved
    run_together = [  # "duyệt bàiChờ duyệt": a lower-case letter right before a capital
        line for line in lines if any(a.islower() and b.isupper() for a, b in pairwise(line))
    ]
    assert run_together == [], lines
    english = history_lines(editor_client.get(f"/posts/{post_id}?lang=en").text)
    assert any(" · In review → Approved" in line for line in english), english


def test_markup_in_the_post_and_errors_is_shown_as_text(
    db: Database, service: PostService, editor_client: TestClient
) -> None:
    post_id = make_post(service, "approved", title=f"Tin {SCRIPT}", body=f"Ảnh {IMG}")
    fail_delivery(db, post_id, "fb-asean-hue")
    html = editor_client.get(f"/posts/{post_id}").text
    assert SCRIPT not in html and IMG not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=" in html


@pytest.mark.parametrize(
    ("username", "allowed"),
    [("cbtt.stttt", True), ("cbtt.sdl", False), ("bientap", True), ("admin", True)],
)
def test_who_may_see_a_post(
    service: PostService, client_for: ClientFor, username: str, allowed: bool
) -> None:
    post_id = make_post(service)
    page = client_for(username).get(f"/posts/{post_id}")
    assert page.status_code == (200 if allowed else 404)
    if not allowed:  # as if it did not exist: the owning department is not named
        assert "STTTT" not in page.text and "Traceback" not in page.text
        assert f"Không có bài #{post_id}." in page.text


@pytest.mark.parametrize(
    ("username", "status"),
    [("cbtt.stttt", 403), ("cbtt.sdl", 404), ("bientap", 303), ("admin", 303)],
)
def test_who_may_approve(
    db: Database, service: PostService, client_for: ClientFor, username: str, status: int
) -> None:
    post_id = make_post(service, "in_review")
    answer = post_form(client_for(username), f"/posts/{post_id}/approve", comment="Được")
    assert answer.status_code == status
    assert post_state(db, post_id) == ("approved" if status == 303 else "in_review")
    if status != 303:
        assert "Traceback" not in answer.text


@pytest.mark.parametrize(
    ("username", "status"),
    [("cbtt.stttt", 403), ("cbtt.sdl", 404), ("bientap", 303), ("admin", 303)],
)
def test_who_may_reject(
    db: Database, service: PostService, client_for: ClientFor, username: str, status: int
) -> None:
    post_id = make_post(service, "in_review")
    answer = post_form(client_for(username), f"/posts/{post_id}/reject", comment="Sửa tiêu đề")
    assert answer.status_code == status
    assert post_state(db, post_id) == ("rejected" if status == 303 else "in_review")


def test_reject_without_a_comment_shows_the_problem_beside_the_field(
    db: Database, service: PostService, editor_client: TestClient
) -> None:
    post_id = make_post(service, "in_review")
    answer = post_form(editor_client, f"/posts/{post_id}/reject", comment="   ")
    assert answer.status_code == 422
    html = answer.text
    assert 'id="comment-error"' in html and "Hãy ghi lý do trả lại" in html
    assert post_state(db, post_id) == "in_review"


@pytest.mark.parametrize(
    ("username", "status"),
    [("cbtt.stttt", 303), ("cbtt.sdl", 404), ("bientap", 303), ("admin", 303)],
)
def test_who_may_cancel(
    db: Database, service: PostService, client_for: ClientFor, username: str, status: int
) -> None:
    post_id = make_post(service, "approved")
    answer = post_form(client_for(username), f"/posts/{post_id}/cancel", reason="Trùng lịch")
    assert answer.status_code == status
    assert post_state(db, post_id) == ("cancelled" if status == 303 else "approved")
    if status == 303:
        with db.read() as session:
            event = session.exec(
                select(AuditEvent).where(AuditEvent.action == "post.cancelled")
            ).one()
        assert event.detail["reason"] == "Trùng lịch" and event.actor == username


def test_submit_from_the_page_and_a_refused_transition_is_a_clear_page(
    db: Database, service: PostService, officer_client: TestClient
) -> None:
    post_id = make_post(service)
    answer = post_form(officer_client, f"/posts/{post_id}/submit")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/posts/{post_id}?done=submitted"
    assert "Đã gửi duyệt." in officer_client.get(f"/posts/{post_id}?done=submitted").text
    again = post_form(officer_client, f"/posts/{post_id}/submit")
    assert again.status_code == 409
    assert "Chờ duyệt" in again.text and "Traceback" not in again.text


def test_submit_without_a_time_shows_what_is_missing(
    db: Database, service: PostService, officer_client: TestClient
) -> None:
    post_id = make_post(service, scheduled_at=None)
    answer = post_form(officer_client, f"/posts/{post_id}/submit")
    assert answer.status_code == 422
    assert "Hãy chọn giờ đăng" in answer.text
    assert post_state(db, post_id) == "draft"


def test_a_post_that_does_not_exist_is_a_clear_404(editor_client: TestClient) -> None:
    page = editor_client.get("/posts/9999")
    assert page.status_code == 404 and "Không có bài #9999" in page.text


@pytest.mark.parametrize(
    ("username", "status"),
    [("cbtt.stttt", 303), ("cbtt.sdl", 404), ("bientap", 303), ("admin", 303)],
)
def test_retry_a_failed_delivery_now(
    db: Database,
    service: PostService,
    client_for: ClientFor,
    clock: Clock,
    username: str,
    status: int,
) -> None:
    post_id = make_post(service, "approved")
    delivery_id = fail_delivery(db, post_id, "fb-asean-hue")
    client = client_for(username)
    answer = post_form(client, f"/posts/{post_id}/deliveries/{delivery_id}/retry", at="")
    assert answer.status_code == status
    delivery = delivery_on(db, post_id, "fb-asean-hue")
    if status == 303:
        assert (delivery.state, delivery.due_at) == (D.scheduled, clock.now)
        page = client.get(answer.headers["location"]).text
        assert "Lượt đăng sẽ được thử lại." in page
        assert "cho thử lại lượt đăng" in page  # in the history
        assert "(#100) link not allowed" in page  # the old attempt is still evidence
    else:
        assert delivery.state == D.failed


def test_retry_at_a_chosen_time_and_in_the_past(
    db: Database, service: PostService, editor_client: TestClient
) -> None:
    post_id = make_post(service, "approved")
    delivery_id = fail_delivery(db, post_id, "web-asean", D.missed)
    url = f"/posts/{post_id}/deliveries/{delivery_id}/retry"
    past = post_form(editor_client, url, at="2026-11-30T08:00")
    assert past.status_code == 422
    assert "đã qua" in past.text and 'value="2026-11-30T08:00"' in past.text
    assert delivery_on(db, post_id, "web-asean").state == D.missed
    assert post_form(editor_client, url, at="2026-12-03T14:00").status_code == 303
    delivery = delivery_on(db, post_id, "web-asean")
    assert delivery.due_at == datetime(2026, 12, 3, 7, 0, tzinfo=UTC)  # 14:00 in Hue


def test_cancel_one_delivery(
    db: Database, service: PostService, officer_client: TestClient, client_for: ClientFor
) -> None:
    post_id = make_post(service, "approved")
    delivery_id = delivery_on(db, post_id, "fb-asean-hue").id
    url = f"/posts/{post_id}/deliveries/{delivery_id}/cancel"
    assert post_form(client_for("cbtt.sdl"), url).status_code == 404
    assert post_form(officer_client, url).status_code == 303
    assert delivery_on(db, post_id, "fb-asean-hue").state == D.cancelled
    assert delivery_on(db, post_id, "web-asean").state == D.scheduled
    again = post_form(officer_client, url)
    assert again.status_code == 409 and "Traceback" not in again.text
    other = make_post(service)
    wrong = post_form(officer_client, f"/posts/{other}/deliveries/{delivery_id}/cancel")
    assert wrong.status_code == 404


def test_forms_without_csrf_are_refused(service: PostService, editor_client: TestClient) -> None:
    post_id = make_post(service, "in_review")
    answer = editor_client.post(f"/posts/{post_id}/approve", data={"comment": "x"})
    assert answer.status_code == 403 and "CSRF" in answer.text


def test_the_review_queue_oldest_first_with_inline_actions(
    db: Database, service: PostService, clock: Clock, editor_client: TestClient
) -> None:
    first = make_post(service, "in_review", title="Bài gửi trước")
    clock.advance(minutes=30)
    second = make_post(service, "in_review", title=f"Bài gửi sau {SCRIPT}")
    make_post(service, "draft", title="Bài nháp")
    page = editor_client.get("/review")
    html = page.text
    assert page.status_code == 200
    assert html.index("Bài gửi trước") < html.index("Bài gửi sau")
    assert "Bài nháp" not in html and SCRIPT not in html
    assert f'action="/posts/{first}/approve"' in html and f'action="/posts/{second}/reject"' in html
    answer = post_form(editor_client, f"/posts/{first}/approve", next="/review")
    assert answer.headers["location"] == "/review"
    evil = post_form(editor_client, f"/posts/{second}/approve", next="//evil.example/")
    assert evil.headers["location"] == f"/posts/{second}?done=approved"
    assert "Không có bài nào chờ duyệt." in editor_client.get("/review").text


def test_officers_see_their_departments_queue_read_only(
    service: PostService, officer_client: TestClient, officer_sdl_client: TestClient
) -> None:
    make_post(service, "in_review", title="Bài của STTTT")
    mine = officer_client.get("/review").text
    assert "Bài của STTTT" in mine and "/approve" not in mine
    assert "Bài của STTTT" not in officer_sdl_client.get("/review").text

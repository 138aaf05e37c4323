"""The administrators' publishing pause and the channel-wide retry of failed deliveries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import col, select

from content.control import read_pause
from content.db import Database
from content.models import AuditEvent, Delivery, DeliveryState, Post, User
from tests.factories import Clock
from tests.web.conftest import ClientFor
from tests.web.helpers import csrf_from


def test_only_administrators_open_the_admin_pages(
    editor_client: TestClient, officer_client: TestClient, admin_client: TestClient
) -> None:
    for path in ("/admin/publishing", "/admin/channels/web-asean/retry-failed"):
        assert editor_client.get(path).status_code == 403
        assert officer_client.get(path).status_code == 403
        assert admin_client.get(path).status_code == 200
    menu = admin_client.get("/calendar").text
    assert 'href="/admin/publishing"' in menu and "Quản trị" in menu
    assert 'href="/admin/publishing"' not in editor_client.get("/calendar").text


def test_pause_needs_a_reason_and_shows_who_when_why(
    admin_client: TestClient, db: Database, clock: Clock
) -> None:
    page = admin_client.get("/admin/publishing")
    assert "Đang đăng bài bình thường" in page.text
    token = csrf_from(page.text)

    blank = admin_client.post("/admin/publishing/pause", data={"csrf_token": token, "reason": " "})
    assert blank.status_code == 422
    assert "Hãy ghi lý do tạm dừng đăng bài" in blank.text
    assert not read_pause(db).paused

    paused = admin_client.post(
        "/admin/publishing/pause", data={"csrf_token": token, "reason": "Quốc tang"}
    )
    assert paused.status_code == 200 and "Đã tạm dừng đăng bài." in paused.text
    assert "Đang TẠM DỪNG" in paused.text and "Quốc tang" in paused.text
    local = clock.now + timedelta(hours=7)
    assert f"{local:%d/%m/%Y %H:%M}" in paused.text  # the configured zone, Vietnamese form
    assert '<dd class="changed-by">admin</dd>' in paused.text
    state = read_pause(db)
    assert state.paused and state.reason == "Quốc tang" and state.changed_by == "admin"

    resumed = admin_client.post("/admin/publishing/resume", data={"csrf_token": token})
    assert "Đã tiếp tục đăng bài." in resumed.text
    assert not read_pause(db).paused
    with db.read() as session:
        actions = session.exec(select(AuditEvent.action).order_by(col(AuditEvent.id))).all()
    assert [a for a in actions if a.startswith("publishing.")] == [
        "publishing.paused",
        "publishing.resumed",
    ]


def test_pause_refuses_a_form_without_its_csrf_token(
    admin_client: TestClient, db: Database
) -> None:
    response = admin_client.post("/admin/publishing/pause", data={"reason": "Quốc tang"})
    assert response.status_code in (400, 403)
    assert not read_pause(db).paused


def _deliveries(
    db: Database, clock: Clock, states: Sequence[str], post_state: str = "approved"
) -> None:
    with db.write() as session:
        author = session.exec(select(User).where(User.username == "cbtt.stttt")).one()
        assert author.id is not None
        for state in states:
            post = Post(
                title=f"Bài {state}",
                topic="a",
                author_id=author.id,
                department_code="STTTT",
                state=post_state,
                scheduled_at=clock.now,
            )
            session.add(post)
            session.flush()
            assert post.id is not None
            session.add(
                Delivery(
                    post_id=post.id,
                    channel_id="web-asean",
                    state=state,
                    attempts=5,
                    due_at=clock.now - timedelta(hours=1),
                    last_error="HTTP 500",
                )
            )


def test_retry_every_failed_delivery_of_a_channel(
    admin_client: TestClient, client_for: ClientFor, db: Database, clock: Clock
) -> None:
    _deliveries(db, clock, [DeliveryState.failed] * 3 + [DeliveryState.published])
    _deliveries(db, clock, [DeliveryState.failed], post_state="cancelled")  # not retryable

    channels = admin_client.get("/channels").text
    assert "Thử lại 3 lượt đăng thất bại" in channels
    assert 'href="/admin/channels/web-asean/retry-failed"' in channels
    assert "retry-failed" not in client_for("bientap").get("/channels").text

    confirm = admin_client.get("/admin/channels/web-asean/retry-failed")
    assert "Kênh này có 3 lượt đăng thất bại" in confirm.text
    clock.advance(minutes=5)
    done = admin_client.post(
        "/admin/channels/web-asean/retry-failed", data={"csrf_token": csrf_from(confirm.text)}
    )
    assert done.status_code == 200
    assert "Đã đặt lại 3 lượt đăng thất bại của kênh web-asean" in done.text
    assert "không có lượt đăng thất bại nào" in done.text

    with db.read() as session:
        rows = session.exec(select(Delivery).order_by(col(Delivery.id))).all()
        events = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
    assert [d.state for d in rows] == ["scheduled"] * 3 + ["published", "failed"]
    assert all(d.attempts == 0 and d.due_at == clock.now for d in rows[:3])
    actions = [e.action for e in events if e.action.startswith(("delivery.", "channel."))]
    assert actions == ["delivery.retried"] * 3 + ["channel.failed_retried"]
    assert events[-1].actor == "admin" and events[-1].detail == {"count": 3}


def test_retry_of_a_channel_is_for_administrators_only(
    editor_client: TestClient, admin_client: TestClient, db: Database, clock: Clock
) -> None:
    _deliveries(db, clock, [DeliveryState.failed])
    token = csrf_from(editor_client.get("/calendar").text)
    refused = editor_client.post(
        "/admin/channels/web-asean/retry-failed", data={"csrf_token": token}
    )
    assert refused.status_code == 403
    missing = admin_client.get("/admin/channels/nope/retry-failed")
    assert missing.status_code == 404 and "Không có kênh" in missing.text
    with db.read() as session:
        assert session.exec(select(Delivery.state)).all() == ["failed"]

"""The channels page through the real app: states (active, needs_auth with the reconnect
command, paused, cooling down), last success and failure, YouTube's quota used today, and the
administrator's pause and resume with their audit records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from content.db import Database
from content.models import Attempt, AuditEvent, Channel, Delivery
from content.posts import PostService
from tests.factories import Clock, post_input
from tests.web.conftest import ClientFor
from tests.web.helpers import csrf_of

WHEN = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


def set_channel(db: Database, channel_id: str, **values: object) -> None:
    with db.write() as session:
        channel = session.get(Channel, channel_id)
        assert channel is not None
        for name, value in values.items():
            setattr(channel, name, value)


def section(html: str, channel_id: str) -> str:
    start = html.index(f'id="channel-{channel_id}"')
    end = html.find("</section>", start)
    return html[start:end]


def test_states_and_the_reconnect_hint(
    db: Database, clock: Clock, editor_client: TestClient
) -> None:
    set_channel(db, "zalo-asean-hue", state="needs_auth")
    set_channel(db, "fb-dulich-hue", state="paused")
    set_channel(db, "fb-asean-hue", cooldown_until=clock.now + timedelta(minutes=30))
    html = editor_client.get("/channels").text
    assert "loa channels connect zalo-asean-hue" in section(html, "zalo-asean-hue")
    assert "Cần kết nối lại" in section(html, "zalo-asean-hue")
    assert "Tạm dừng" in section(html, "fb-dulich-hue")
    assert "Thứ Ba, 01/12/2026 08:30" in section(html, "fb-asean-hue")  # local time
    assert "Đang hoạt động" in section(html, "web-asean")
    assert "/pause" not in html  # editors see, administrators act


def test_last_success_failure_and_quota_today(
    db: Database, service: PostService, clock: Clock, admin_client: TestClient
) -> None:
    officer, editor = service.actor("cbtt.stttt"), service.actor("bientap")
    post = service.create(
        officer, post_input(channels=["yt-hue-asean", "web-asean"], scheduled_at=WHEN)
    )
    assert post.id is not None
    service.submit(officer, post.id)
    service.approve(editor, post.id)
    with db.write() as session:
        rows = {
            d.channel_id: d
            for d in session.exec(select(Delivery).where(Delivery.post_id == post.id)).all()
        }
        web, yt = rows["web-asean"], rows["yt-hue-asean"]
        assert web.id is not None and yt.id is not None
        web.state, web.published_at = "published", clock.now
        web.remote_url = "https://asean.thuathienhue.gov.vn/?p=7"
        session.add(
            Attempt(
                delivery_id=yt.id, number=1, started_at=clock.now, finished_at=clock.now,
                outcome="scheduled", error_kind="RateLimited",
                error_message="<b>slow down</b> please",
            )
        )  # fmt: skip
    html = admin_client.get("/channels").text
    web_part, yt_part = section(html, "web-asean"), section(html, "yt-hue-asean")
    assert "https://asean.thuathienhue.gov.vn/?p=7" in web_part
    assert f'href="/posts/{post.id}"' in web_part
    assert "Nền tảng yêu cầu đăng chậm lại" in yt_part
    assert "&lt;b&gt;slow down&lt;/b&gt;" in yt_part and "<b>slow down" not in yt_part
    assert "1600 / 10000" in yt_part and "Hạn mức hôm nay" in yt_part
    assert "Hạn mức" not in web_part  # the website has no daily quota


@pytest.mark.parametrize("username", ["cbtt.stttt", "bientap"])
def test_only_admins_pause(db: Database, client_for: ClientFor, username: str) -> None:
    client = client_for(username)
    answer = client.post(
        "/channels/web-asean/pause", data={"csrf_token": csrf_of(client)}, follow_redirects=False
    )
    assert answer.status_code == 403 and "Traceback" not in answer.text
    with db.read() as session:
        channel = session.get(Channel, "web-asean")
        assert channel is not None and channel.state == "active"


def test_officers_are_refused_the_page_clearly(officer_client: TestClient) -> None:
    page = officer_client.get("/channels")
    assert page.status_code == 403 and "Không có quyền" in page.text


def test_admin_pauses_and_resumes_with_audit(db: Database, admin_client: TestClient) -> None:
    token = csrf_of(admin_client)
    paused = admin_client.post(
        "/channels/web-asean/pause", data={"csrf_token": token}, follow_redirects=False
    )
    assert paused.status_code == 303
    html = admin_client.get(paused.headers["location"]).text
    assert "Đã tạm dừng kênh." in html and "/channels/web-asean/resume" in html
    again = admin_client.post(
        "/channels/web-asean/pause", data={"csrf_token": token}, follow_redirects=False
    )
    assert again.status_code == 409 and "chỉ tạm dừng được kênh đang hoạt động" in again.text
    resumed = admin_client.post(
        "/channels/web-asean/resume", data={"csrf_token": token}, follow_redirects=False
    )
    assert resumed.status_code == 303
    with db.read() as session:
        channel = session.get(Channel, "web-asean")
        assert channel is not None and channel.state == "active"
        actions = session.exec(
            select(AuditEvent.action, AuditEvent.actor).where(AuditEvent.channel_id == "web-asean")
        ).all()
    assert list(actions) == [("channel.paused", "admin"), ("channel.resumed", "admin")]
    missing = admin_client.post(
        "/channels/nope/pause", data={"csrf_token": token}, follow_redirects=False
    )
    assert missing.status_code == 404
    no_csrf = admin_client.post("/channels/web-asean/pause", follow_redirects=False)
    assert no_csrf.status_code == 403

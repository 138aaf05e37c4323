"""Reconnecting a channel from the web (`/channels/ID/connect`), built by `loa` as `loa serve`
builds it, against the sandbox: a WordPress application password through the form, a Zalo OAuth
round trip through the sandbox's consent page, and the refusals (wrong state, other roles, no
CSRF token), with no secret in the pages, the database or the logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from fastapi.testclient import TestClient
from sqlmodel import select

from channels.sandbox.server import SandboxServer
from content.models import AuditEvent, Channel
from content.users import UserService
from loa.adapters import credentials_for
from loa.app import App, open_app
from loa.cli import main
from loa.serve import RedactSecrets
from loa.web_app import build_web_app
from tests.factories import demo_config_at
from tests.web.conftest import FAST_HASHER
from tests.web.helpers import PASSWORD, csrf_from, login


@pytest.fixture
def loa_app(
    tmp_path: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[App]:
    """The demo configuration pointing at this test's sandbox, users with `PASSWORD`."""
    config = demo_config_at(tmp_path, sandbox.url, monkeypatch)
    assert main(["--config", str(config), "db", "upgrade"]) == 0
    loaded = open_app(config)
    users = UserService(loaded.db, hasher=FAST_HASHER)
    for username in ("admin", "bientap", "cbtt.stttt"):
        users.set_password("test", username, PASSWORD)
    yield loaded
    loaded.close()


@pytest.fixture
def signed(loa_app: App) -> Iterator[dict[str, TestClient]]:
    web_app = build_web_app(loa_app)
    clients = {}
    for username in ("admin", "bientap", "cbtt.stttt"):
        client = TestClient(web_app)
        assert login(client, username).status_code == 303
        clients[username] = client
    yield clients
    for client in clients.values():
        client.close()


def set_state(loa_app: App, channel_id: str, state: str) -> None:
    with loa_app.db.write() as session:
        row = session.get(Channel, channel_id)
        assert row is not None
        row.state = state


def channel_row(loa_app: App, channel_id: str) -> Channel:
    with loa_app.db.read() as session:
        row = session.get(Channel, channel_id)
        assert row is not None
        session.expunge(row)
        return row


def app_logs(caplog: pytest.LogCaptureFixture) -> str:
    """What Loa logged: not the test's own HTTP clients, nor the sandbox playing the platform."""
    clients = ("httpx", "urllib3", "channels.sandbox")
    return "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith(clients))


def control(sandbox: SandboxServer, platform: str, command: str) -> object:
    answer = requests.post(
        f"{sandbox.url}/_sandbox/control",
        json={"platform": platform, "command": command},
        timeout=10,
    )
    return answer.json()["result"]


def test_the_channels_page_links_to_the_reconnect_page(
    loa_app: App, signed: dict[str, TestClient]
) -> None:
    set_state(loa_app, "web-asean", "needs_auth")
    html = signed["admin"].get("/channels").text
    assert 'href="/channels/web-asean/connect"' in html
    assert 'href="/channels/zalo-asean-hue/connect"' in html  # any channel, not only needs_auth
    assert "Kết nối lại" in html
    editor_html = signed["bientap"].get("/channels").text
    assert "/connect" not in editor_html and "loa channels connect web-asean" in editor_html


def test_wordpress_reconnects_with_an_application_password(
    loa_app: App,
    signed: dict[str, TestClient],
    sandbox: SandboxServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    set_state(loa_app, "web-asean", "needs_auth")
    admin = signed["admin"]
    page = admin.get("/channels/web-asean/connect")
    assert page.status_code == 200
    assert 'type="password"' in page.text and "Mật khẩu ứng dụng WordPress" in page.text
    token = csrf_from(page.text)

    wrong = admin.post(
        "/channels/web-asean/connect",
        data={"secret": "abcd efgh ijkl mnop qrst uvwx", "csrf_token": token},
    )
    assert wrong.status_code == 422 and "Chưa kết nối được web-asean" in wrong.text
    assert "abcd" not in wrong.text
    assert channel_row(loa_app, "web-asean").state == "needs_auth"

    password = str(control(sandbox, "wordpress", "issue_app_password"))
    done = admin.post("/channels/web-asean/connect", data={"secret": password, "csrf_token": token})
    assert done.status_code == 200, done.text
    assert "Đã kết nối web-asean" in done.text
    assert password not in done.text
    row = channel_row(loa_app, "web-asean")
    assert row.state == "active"
    assert row.credentials and password.replace(" ", "").encode() not in row.credentials
    assert password not in app_logs(caplog) and "abcd" not in app_logs(caplog)
    with loa_app.db.read() as session:
        events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "channel.connected")
        ).all()
    assert [(e.actor, e.channel_id) for e in events] == [("admin", "web-asean")]


def test_zalo_oauth_round_trip_through_the_sandbox(
    loa_app: App, signed: dict[str, TestClient], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    set_state(loa_app, "zalo-asean-hue", "needs_auth")
    admin = signed["admin"]
    page = admin.get("/channels/zalo-asean-hue/connect")
    assert page.status_code == 200 and "Mở trang cấp quyền" in page.text
    consent_url = page.text.split('class="button primary consent" href="')[1].split('"')[0]
    consent_url = consent_url.replace("&amp;", "&")
    query = parse_qs(urlsplit(consent_url).query)
    # config.yaml's public_url (the demo's), never the Host header the request came with.
    assert query["redirect_uri"] == ["http://127.0.0.1:8000/channels/zalo-asean-hue/callback"]
    forged = admin.get("/channels/zalo-asean-hue/connect", headers={"host": "attacker.example"})
    assert "attacker.example" not in forged.text.replace("&amp;", "&")
    assert "code_verifier" not in consent_url

    consent = requests.get(consent_url, allow_redirects=False, timeout=10)  # auto-approves
    back = urlsplit(consent.headers["Location"])
    assert back.path == "/channels/zalo-asean-hue/callback"
    code = parse_qs(back.query)["code"][0]
    done = admin.get(f"{back.path}?{back.query}")
    assert done.status_code == 200, done.text
    assert "Đã kết nối zalo-asean-hue" in done.text and code not in done.text

    row = channel_row(loa_app, "zalo-asean-hue")
    assert row.state == "active"
    stored = credentials_for(loa_app, "zalo-asean-hue").load()
    assert stored is not None and stored["access_token"]
    assert row.credentials and b"access_token" not in row.credentials
    assert stored["access_token"].encode() not in row.credentials
    assert stored["access_token"] not in app_logs(caplog) + done.text
    assert code not in app_logs(caplog)
    # `loa serve`'s access log masks the one-shot code in the callback's address.
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"{back.path}?{back.query}", "1.1", 200), None,
    )  # fmt: skip
    assert RedactSecrets().filter(record) and code not in record.getMessage()

    again = admin.get(f"{back.path}?{back.query}")  # a consent answer works once
    assert again.status_code == 400 and "hãy bắt đầu kết nối lại" in again.text
    assert code not in again.text


def test_a_wrong_or_foreign_state_is_refused(loa_app: App, signed: dict[str, TestClient]) -> None:
    set_state(loa_app, "zalo-asean-hue", "needs_auth")
    admin = signed["admin"]
    refused = admin.get("/channels/zalo-asean-hue/callback?state=forged&code=abc")
    assert refused.status_code == 400
    assert "không hợp lệ, đã hết hạn hoặc thuộc phiên khác" in refused.text
    assert "bắt đầu kết nối lại" in refused.text

    page = admin.get("/channels/zalo-asean-hue/connect").text
    consent_url = page.split('class="button primary consent" href="')[1].split('"')[0]
    consent = requests.get(consent_url.replace("&amp;", "&"), allow_redirects=False, timeout=10)
    back = urlsplit(consent.headers["Location"])
    # Another administrator's session cannot finish it, nor can another channel's callback.
    other = TestClient(admin.app)
    assert login(other, "admin").status_code == 303
    assert other.get(f"{back.path}?{back.query}").status_code == 400
    assert admin.get(f"/channels/yt-hue-asean/callback?{back.query}").status_code == 400
    other.close()
    assert channel_row(loa_app, "zalo-asean-hue").state == "needs_auth"


def test_editors_and_officers_are_refused(signed: dict[str, TestClient]) -> None:
    for username in ("bientap", "cbtt.stttt"):
        client = signed[username]
        assert client.get("/channels/web-asean/connect").status_code == 403
        assert client.get("/channels/zalo-asean-hue/callback?state=x&code=y").status_code == 403
        token = csrf_from(client.get("/calendar").text)
        posted = client.post(
            "/channels/web-asean/connect", data={"secret": "x", "csrf_token": token}
        )
        assert posted.status_code == 403


def test_the_form_needs_the_csrf_token(
    loa_app: App, signed: dict[str, TestClient], sandbox: SandboxServer
) -> None:
    set_state(loa_app, "web-asean", "needs_auth")
    password = str(control(sandbox, "wordpress", "issue_app_password"))
    posted = signed["admin"].post("/channels/web-asean/connect", data={"secret": password})
    assert posted.status_code == 403
    assert password not in posted.text
    assert channel_row(loa_app, "web-asean").state == "needs_auth"


def test_without_a_connector_the_page_shows_the_command(
    web_services: object, admin_client: TestClient
) -> None:
    page = admin_client.get("/channels/web-asean/connect")
    assert page.status_code == 200
    assert "loa channels connect web-asean" in page.text
    assert admin_client.get("/channels/nope/connect").status_code == 404

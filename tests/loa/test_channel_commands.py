"""`loa channels connect` and `loa channels check`, run as a new user would, against the sandbox."""

from __future__ import annotations

import io
import os
import stat
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlmodel import select

import loa.connect
from channels.sandbox.graph import GraphSandbox
from channels.sandbox.server import SandboxServer
from content.db import Database
from content.models import (
    AuditEvent,
    Channel,
    ChannelState,
    Delivery,
    DeliveryState,
    EditorialState,
    Post,
    User,
)
from content.timeutil import utcnow
from loa.adapters import credentials_for
from loa.app import open_app
from loa.cli import main
from loa.pending_consent import PENDING_SECONDS
from loa.sandbox_setup import control
from tests.factories import demo_config_at

CHANNELS = ("zalo-asean-hue", "fb-asean-hue", "fb-dulich-hue", "yt-hue-asean", "web-asean")

Run = Callable[..., tuple[int, str, str]]


class Browser:
    """The browser a person would use: it follows the consent page to Loa's callback, in its own
    thread as a real one does, and keeps the page it ends on."""

    def __init__(self) -> None:
        self.pages: list[requests.Response] = []
        self.threads: list[threading.Thread] = []

    def open(self, url: str) -> bool:
        def follow() -> None:  # the consent auto-approves and redirects to the callback
            self.pages.append(requests.get(url, timeout=30))

        thread = threading.Thread(target=follow)
        thread.start()
        self.threads.append(thread)
        return True

    def last_page(self) -> requests.Response:
        for thread in self.threads:
            thread.join(30)
        return self.pages[-1]


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Browser:
    browser = Browser()
    monkeypatch.setattr(loa.connect, "open_browser", browser.open)
    return browser


@pytest.fixture
def workspace(
    tmp_path: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, browser: Browser
) -> Path:
    """The demo configuration with every base URL pointing at this test's sandbox."""
    config = demo_config_at(tmp_path, sandbox.url, monkeypatch)
    assert main(["--config", str(config), "db", "upgrade"]) == 0
    return config


@pytest.fixture
def run(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Run:
    def call(*args: str, stdin: str = "") -> tuple[int, str, str]:
        capsys.readouterr()
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["--config", str(workspace), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return call


def sandbox_control(sandbox: SandboxServer, platform: str, command: str) -> object:
    answer = requests.post(
        f"{sandbox.url}/_sandbox/control",
        json={"platform": platform, "command": command},
        timeout=10,
    )
    return answer.json()["result"]


def test_before_connecting_check_says_what_to_do(run: Run) -> None:
    code, out, _ = run("channels", "check")
    assert code == 1
    lines = out.strip().splitlines()
    assert [line.split()[0] for line in lines] == list(CHANNELS)
    assert all("ổn" not in line for line in lines)
    assert "Trang web" in out and "wordpress" not in out  # the platform by its name
    assert all(
        f"chưa kết nối: chạy `loa channels connect {line.split()[0]}`" in line for line in lines
    )
    run("channels", "connect", "web-asean", stdin="wrong password\n")  # creates the key only
    code, out, _ = run("channels", "check")
    assert code == 1
    assert sum("cần kết nối:" in line for line in out.splitlines()) == 5


def test_connecting_every_channel_then_check_passes(
    run: Run, sandbox: SandboxServer, workspace: Path, browser: Browser
) -> None:
    for channel_id in ("zalo-asean-hue", "yt-hue-asean"):
        code, out, err = run("channels", "connect", channel_id)
        assert (code, err) == (0, ""), err
        assert f"Đã kết nối {channel_id}" in out
        assert sandbox.url in out  # the consent address, for a person without a local browser
        page = browser.last_page()
        assert page.status_code == 200 and "Đã kết nối / Connected" in page.text
    for channel_id in ("fb-asean-hue", "fb-dulich-hue"):
        user = sandbox_control(sandbox, "graph", "user_token")
        token = user["access_token"]  # type: ignore[index]
        code, out, err = run("channels", "connect", channel_id, stdin=token + "\n")
        assert (code, err) == (0, ""), err
        assert token not in out
    password = str(sandbox_control(sandbox, "wordpress", "issue_app_password"))
    code, out, err = run("channels", "connect", "web-asean", stdin=password + "\n")
    assert (code, err) == (0, ""), err
    assert password not in out and "Đã kết nối web-asean" in out

    code, out, err = run("channels", "check")
    assert code == 0, out + err
    assert len([line for line in out.splitlines() if " ổn — " in line]) == 5

    key = workspace.parent / "data" / "loa.key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    db = Database(f"sqlite:///{workspace.parent / 'data' / 'loa.db'}")
    with db.read() as session:
        stored = {row.id: row.credentials for row in session.exec(select(Channel)).all()}
    db.dispose()
    assert all(stored[channel_id] for channel_id in CHANNELS)
    assert password.replace(" ", "").encode() not in stored["web-asean"]  # type: ignore[operator]
    assert b"access_token" not in stored["zalo-asean-hue"]  # type: ignore[operator]


def test_a_wrong_password_is_one_line_and_never_echoed(run: Run) -> None:
    code, out, err = run(
        "channels", "connect", "web-asean", stdin="abcd efgh ijkl mnop qrst uvwx\n"
    )
    assert code == 1
    assert err.startswith("Lỗi: Chưa kết nối được web-asean:")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "abcd" not in out + err


def test_a_facebook_user_who_does_not_manage_the_page_is_told_so(
    run: Run, sandbox: SandboxServer
) -> None:
    answer = requests.post(
        f"{sandbox.url}/_sandbox/control",
        json={"platform": "graph", "command": "user_token", "args": {"pages": ["100000000000002"]}},
        timeout=10,
    )
    token = answer.json()["result"]["access_token"]
    code, _, err = run("--lang", "en", "channels", "connect", "fb-asean-hue", stdin=token + "\n")
    assert code == 1
    assert err.startswith("Error: fb-asean-hue was not connected:")
    assert token not in err


def test_an_unknown_channel_names_the_known_ones(run: Run) -> None:
    code, _, err = run("channels", "connect", "zalo")
    assert code == 1
    assert "Không có kênh “zalo”" in err and "zalo-asean-hue" in err


def test_revoked_credentials_show_in_check(run: Run, sandbox: SandboxServer) -> None:
    password = str(sandbox_control(sandbox, "wordpress", "issue_app_password"))
    assert run("channels", "connect", "web-asean", stdin=password + "\n")[0] == 0
    sandbox_control(sandbox, "wordpress", "revoke_app_passwords")
    code, out, _ = run("channels", "check")
    assert code == 1
    line = next(line for line in out.splitlines() if line.startswith("web-asean"))
    assert "cần kết nối:" in line


def test_a_websites_adapters_share_what_they_learnt_of_the_site_within_one_app(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cryptography.fernet import Fernet

    from channels.wordpress.adapter import WordPress
    from loa.adapters import build_adapter
    from loa.app import open_app

    monkeypatch.setenv("LOA_SECRET_KEY", Fernet.generate_key().decode())
    app, other_app = open_app(workspace), open_app(workspace)
    try:
        one, two = build_adapter(app, "web-asean"), build_adapter(app, "web-asean")
        zalo_host = build_adapter(app, "zalo-asean-hue").media_host  # type: ignore[attr-defined]
        elsewhere = build_adapter(other_app, "web-asean")
        websites = [one, two, zalo_host, elsewhere]
        assert all(isinstance(adapter, WordPress) for adapter in websites)
        memos = [adapter.library.memo for adapter in websites]

        assert len({id(adapter) for adapter in websites}) == 4  # each thread its own HTTP client
        assert memos[1] is memos[0] and memos[2] is memos[0]
        assert memos[3] is not memos[0]  # another app (a test, a command) starts afresh
    finally:
        app.close()
        other_app.close()


def test_zalo_gets_the_website_as_its_media_host(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cryptography.fernet import Fernet

    from channels.wordpress.adapter import WordPress
    from loa.adapters import build_adapter
    from loa.app import open_app

    monkeypatch.setenv("LOA_SECRET_KEY", Fernet.generate_key().decode())
    app = open_app(workspace)
    try:
        zalo = build_adapter(app, "zalo-asean-hue")
        host = zalo.media_host  # type: ignore[attr-defined]
        assert isinstance(host, WordPress)
        assert host.setup.id == "web-asean"
        assert host.setup.base().endswith("/wordpress")  # the configured site, not a default
    finally:
        app.close()


# --- scripted connecting: --no-browser then --code, --token-stdin, --port --------------------


def stored_credentials(workspace: Path, channel_id: str) -> dict[str, Any] | None:
    app = open_app(workspace)
    try:
        return credentials_for(app, channel_id).load()
    finally:
        app.close()


def consent_code(consent_url: str) -> str:
    """What a person copies from the address bar after consenting (nothing listens there)."""
    answer = requests.get(consent_url, allow_redirects=False, timeout=10)
    return parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]


def test_no_browser_prints_the_consent_and_code_completes_it_in_another_run(
    run: Run, workspace: Path
) -> None:
    code, out, err = run("channels", "connect", "zalo-asean-hue", "--no-browser", "--port", "8731")
    assert (code, err) == (0, ""), err
    url = next(line for line in out.splitlines() if line.startswith("http"))
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A8731%2Fcallback" in url
    assert "--code" in out and "Đã kết nối" not in out
    folder = workspace.parent / "data" / "pending-consents"
    kept = (folder / "zalo-asean-hue.consent").read_bytes()
    assert stat.S_IMODE(os.stat(folder / "zalo-asean-hue.consent").st_mode) == 0o600
    assert b"code_verifier" not in kept  # encrypted like the credentials

    code, out, err = run("channels", "connect", "zalo-asean-hue", "--code", consent_code(url))
    assert (code, err) == (0, ""), err
    assert "Đã kết nối zalo-asean-hue" in out
    assert not (folder / "zalo-asean-hue.consent").exists()  # one use
    assert run("channels", "check")[1].count(" ổn — ") == 1


def test_a_code_without_a_pending_consent_or_an_expired_one_is_one_clear_line(
    run: Run, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run("channels", "connect", "yt-hue-asean", "--code", "4/abc")
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert err.startswith("Lỗi: Kênh yt-hue-asean không có yêu cầu cấp quyền nào đang chờ mã")

    assert run("channels", "connect", "yt-hue-asean", "--no-browser", "--port", "8732")[0] == 0
    later = utcnow() + timedelta(seconds=PENDING_SECONDS + 1)
    monkeypatch.setattr("loa.pending_consent.utcnow", lambda: later)
    code, _, err = run("--lang", "en", "channels", "connect", "yt-hue-asean", "--code", "4/abc")
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert err.startswith("Error: the consent started for yt-hue-asean has expired")

    code, _, err = run("channels", "connect", "yt-hue-asean", "--no-browser")
    assert code == 1 and "--no-browser cần địa chỉ chuyển hướng" in err


def test_the_callback_page_shows_the_refusal_when_the_exchange_fails(
    run: Run, browser: Browser, sandbox: SandboxServer
) -> None:
    faults = {
        "platform": "zalo",
        "fail_next": ["-14005"],
        "paths": ["access_token"],
    }
    requests.post(f"{sandbox.url}/_sandbox/faults", json=faults, timeout=10).raise_for_status()
    code, out, err = run("channels", "connect", "zalo-asean-hue", "--port", "8733")
    page = browser.last_page()
    assert code == 1 and "Chưa kết nối được zalo-asean-hue" in err
    assert "127.0.0.1%3A8733" in out  # the fixed port, as registered with the platform
    assert page.status_code == 400
    assert "Chưa kết nối được / Not connected" in page.text and "Đã kết nối" not in page.text


def test_token_stdin_takes_each_platforms_token(
    run: Run, sandbox: SandboxServer, workspace: Path
) -> None:
    # Zalo and YouTube: a refresh token obtained elsewhere (Zalo's tools; for YouTube here: a
    # consent whose credentials were then forgotten).
    zalo_refresh = str(control(sandbox.url, "zalo", "issue_tokens")["refresh_token"])
    assert run("channels", "connect", "yt-hue-asean")[0] == 0
    youtube_refresh = str((stored_credentials(workspace, "yt-hue-asean") or {})["refresh_token"])
    app = open_app(workspace)
    try:
        credentials_for(app, "yt-hue-asean").clear()
    finally:
        app.close()
    for channel_id, refresh in (
        ("zalo-asean-hue", zalo_refresh),
        ("yt-hue-asean", youtube_refresh),
    ):
        code, out, err = run(
            "channels", "connect", channel_id, "--token-stdin", stdin=refresh + "\n"
        )
        assert (code, err) == (0, ""), err
        assert f"Đã kết nối {channel_id}" in out and refresh not in out
    zalo = stored_credentials(workspace, "zalo-asean-hue") or {}
    assert zalo["refresh_token"] != zalo_refresh  # single use: the new pair is what is kept
    # Facebook: the Page's own token is kept as it is.
    page_token = str(
        control(sandbox.url, "graph", "page_token", page_id="100000000000001")["access_token"]
    )
    code, out, err = run(
        "channels", "connect", "fb-asean-hue", "--token-stdin", stdin=page_token + "\n"
    )
    assert (code, err) == (0, ""), err
    # WordPress: the application password.
    password = str(sandbox_control(sandbox, "wordpress", "issue_app_password"))
    code, _, err = run("channels", "connect", "web-asean", "--token-stdin", stdin=password + "\n")
    assert (code, err) == (0, ""), err
    code, out, _ = run("channels", "check")
    assert sum(" ổn — " in line for line in out.splitlines()) == 4, out
    assert (stored_credentials(workspace, "fb-asean-hue") or {})["page_token"] == page_token


def test_token_stdin_takes_a_business_manager_system_user_token(
    run: Run, sandbox: SandboxServer, workspace: Path
) -> None:
    """A system user the business assigned the Page to: its token leads to the Page token,
    which is all Loa keeps; one assigned other Pages only is refused in one line."""
    page_id = "100000000000001"
    minted = control(sandbox.url, "graph", "system_user", pages=[page_id], name="Loa máy chủ")
    system_token = str(minted["access_token"])
    code, out, err = run(
        "channels", "connect", "fb-asean-hue", "--token-stdin", stdin=system_token + "\n"
    )
    assert (code, err) == (0, ""), err
    assert "Đã kết nối fb-asean-hue" in out and f"({page_id})" in out
    assert system_token not in out
    stored = stored_credentials(workspace, "fb-asean-hue") or {}
    assert set(stored) == {"page_token", "page_id", "page_name"}
    assert stored["page_id"] == page_id and stored["page_token"] != system_token
    graph = sandbox.platform("graph")
    assert isinstance(graph, GraphSandbox)
    with graph.lock:
        kept = graph.tokens[stored["page_token"]]
    assert (kept.kind, kept.page_id, kept.expires) == ("page", page_id, None)
    line = next(x for x in run("channels", "check")[1].splitlines() if x.startswith("fb-asean"))
    assert " ổn — " in line

    elsewhere = control(sandbox.url, "graph", "system_user", pages=["100000000000002"])
    code, out, err = run(
        "channels",
        "connect",
        "fb-asean-hue",
        "--token-stdin",
        stdin=str(elsewhere["access_token"]) + "\n",
    )
    assert code == 1 and len(err.strip().splitlines()) == 1, err
    assert err.startswith("Lỗi: Chưa kết nối được fb-asean-hue:")
    assert f"không quản lý Trang {page_id}" in err and "100000000000002" in err
    assert str(elsewhere["access_token"]) not in out + err
    assert (stored_credentials(workspace, "fb-asean-hue") or {}) == stored  # left as it was


def test_a_refused_token_is_one_line_and_leaves_no_credentials(run: Run, workspace: Path) -> None:
    code, out, err = run(
        "channels", "connect", "yt-hue-asean", "--token-stdin", stdin="1//not-a-token\n"
    )
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert err.startswith("Lỗi: Chưa kết nối được yt-hue-asean:")
    assert "not-a-token" not in out + err
    assert stored_credentials(workspace, "yt-hue-asean") is None
    code, _, err = run("channels", "connect", "web-asean", "--token-stdin", stdin="\n")
    assert code == 1 and "--token-stdin: đầu vào chuẩn trống." in err


def test_check_reactivates_a_channel_whose_credentials_work_again(
    run: Run, sandbox: SandboxServer, workspace: Path
) -> None:
    password = str(sandbox_control(sandbox, "wordpress", "issue_app_password"))
    assert run("channels", "connect", "web-asean", stdin=password + "\n")[0] == 0
    app = open_app(workspace)
    held_due = utcnow() - timedelta(hours=2)
    try:
        with app.db.write() as session:
            author = session.exec(select(User).where(User.username == "cbtt.stttt")).one()
            post = Post(
                title="Ngày ASEAN",
                topic="a",
                department_code=author.department_code or "STTTT",
                author_id=author.id or 0,
                state=EditorialState.approved,
            )
            session.add(post)
            session.flush()
            session.add(
                Delivery(
                    post_id=post.id or 0,
                    channel_id="web-asean",
                    state=DeliveryState.scheduled,
                    due_at=held_due,
                )
            )
            row = session.get(Channel, "web-asean")
            assert row is not None
            row.state = ChannelState.needs_auth  # the worker met AuthRequired meanwhile
    finally:
        app.close()

    _, out, _ = run("channels", "check")
    line = next(line for line in out.splitlines() if line.startswith("web-asean"))
    assert "đã kích hoạt lại" in line

    app = open_app(workspace)
    try:
        with app.db.read() as session:
            row = session.get(Channel, "web-asean")
            assert row is not None and row.state == ChannelState.active
            delivery = session.exec(select(Delivery)).one()
            assert delivery.due_at is not None and delivery.due_at > held_due
            events = session.exec(
                select(AuditEvent).where(AuditEvent.action == "channel.reactivated")
            ).all()
            assert [event.channel_id for event in events] == ["web-asean"]
    finally:
        app.close()
    again = run("channels", "check")[1]
    assert "đã kích hoạt lại" not in again  # once: an active channel is left as it is

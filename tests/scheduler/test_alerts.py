"""Alerts through apprise, against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller

from scheduler.alerts import FOOTER, Alerter, alerter_from_env
from scheduler.publish import Alert

SUBJECT = "Loa: bài #7 không đăng được lên zalo-hue / post #7 failed on zalo-hue"
# apprise's e-mail plugin loads its PGP helper, which imports the stdlib `imghdr` (deprecated in
# 3.11, removed in 3.13) to shim it for pgpy; only that warning is ignored.
pytestmark = pytest.mark.filterwarnings(
    "ignore:'imghdr' is deprecated and slated for removal:DeprecationWarning"
)

BODY = "Nền tảng từ chối: ảnh quá lớn (Thừa Thiên Huế, Đảng bộ, ưu tiên)."


@pytest.fixture(autouse=True)
def _no_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    # apprise waits 5.5 s between two sends of one URL (NotifyBase.request_rate_per_sec): a fair
    # brake on an alert storm in production, only slowness here. Imported here, not at the top,
    # so that the imghdr warning falls under pytestmark rather than module collection.
    from apprise.plugins.email import NotifyEmail

    monkeypatch.setattr(NotifyEmail, "request_rate_per_sec", 0)


def _free_port() -> int:
    # aiosmtpd's Controller checks readiness by connecting to its configured port, so port=0
    # cannot work: take a free port from the OS and hand it over.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        # Properly encoded mail is 7-bit (RFC 2047 subject, quoted-printable or base64 body), so it
        # survives any relay, with or without 8BITMIME.
        envelope.original_content.decode("ascii")
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[_Inbox, int]]:
    inbox, port = _Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _url(port: int) -> str:
    # mailto:// (not mailtos://) means apprise's "insecure" mode: plain SMTP, no STARTTLS.
    return f"mailto://127.0.0.1:{port}?from=loa@example.vn&to=bientap@example.vn"


def _alert(post_id: int | None = 7, kind: str = "failed", channel: str = "zalo-hue") -> Alert:
    return Alert(kind, SUBJECT, BODY, post_id, channel)


def test_email_arrives_with_vietnamese_subject_body_and_footer(
    smtp: tuple[_Inbox, int],
) -> None:
    inbox, port = smtp
    alerter = Alerter([_url(port)])
    alerter(_alert())
    assert alerter.flush(10)
    alerter.close()

    [message] = inbox.messages
    assert message["Subject"] == SUBJECT
    assert message["To"] == "bientap@example.vn"
    assert message["From"] == "loa@example.vn"
    assert message["X-Application"] == "Loa"
    assert message.get_content_type() == "text/plain"
    body = message.get_content()
    assert body.startswith(BODY)
    assert body.rstrip().endswith(FOOTER)
    assert FOOTER == "— Loa, hệ thống đăng bài / the publishing scheduler"


def test_same_alert_is_sent_once_per_window_but_another_post_is_sent(
    smtp: tuple[_Inbox, int],
) -> None:
    inbox, port = smtp
    now = [1000.0]
    alerter = Alerter([_url(port)], dedup_seconds=3600, clock=lambda: now[0])
    alerter(_alert(7))
    alerter(_alert(7))
    alerter(_alert(8))
    assert alerter.flush(10)
    assert len(inbox.messages) == 2

    now[0] += 3600  # the window is over: the same alert goes out again
    alerter(_alert(7))
    assert alerter.flush(10)
    alerter.close()
    assert len(inbox.messages) == 3


def test_kinds_not_chosen_are_not_sent(smtp: tuple[_Inbox, int]) -> None:
    inbox, port = smtp
    alerter = Alerter([_url(port)], kinds={"needs_auth"})
    alerter(_alert(kind="failed"))
    alerter(_alert(kind="reminder"))
    alerter(Alert("needs_auth", "Loa: kênh zalo-hue cần kết nối lại", "…", channel_id="zalo-hue"))
    assert alerter.flush(10)
    alerter.close()
    assert [m["Subject"] for m in inbox.messages] == ["Loa: kênh zalo-hue cần kết nối lại"]


def test_unreachable_server_neither_raises_nor_leaks_the_password(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # apprise's own debug lines too
    password = "Mật-khẩu-s3cret"
    url = f"mailto://loa:{password}@127.0.0.1:{_free_port()}?from=loa@example.vn&to=a@example.vn"
    alerter = Alerter([url])
    alerter(_alert())
    assert alerter.flush(30)
    alerter.close()

    assert "could not send failed alert" in caplog.text
    assert "via mailto://" in caplog.text
    assert password not in caplog.text
    assert quote(password) not in caplog.text
    assert url not in caplog.text


def test_failed_send_does_not_suppress_the_next_attempt(
    caplog: pytest.LogCaptureFixture,
) -> None:
    alerter = Alerter([f"mailto://127.0.0.1:{_free_port()}?from=loa@example.vn&to=a@example.vn"])
    alerter(_alert())
    assert alerter.flush(30)
    alerter(_alert())
    assert alerter.flush(30)
    alerter.close()
    assert caplog.text.count("could not send failed alert") == 2


def test_invalid_url_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValueError) as raised:
        Alerter(["nosuchservice://user:hunter2@example.vn"])
    assert "hunter2" not in str(raised.value)
    assert "#1" in str(raised.value)


def test_alerter_from_env_reads_variables_and_skips_missing_ones(
    smtp: tuple[_Inbox, int],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    inbox, port = smtp
    monkeypatch.setenv("LOA_ALERT_MAIL", _url(port))
    monkeypatch.delenv("LOA_ALERT_MISSING", raising=False)

    alerter = alerter_from_env(["LOA_ALERT_MISSING", "LOA_ALERT_MAIL"], {"failed"})
    assert alerter is not None
    assert alerter.kinds == {"failed"}
    assert "LOA_ALERT_MISSING" in caplog.text
    assert _url(port) not in caplog.text  # the URL that was found is not logged either
    alerter(_alert())
    assert alerter.flush(10)
    alerter.close()
    assert len(inbox.messages) == 1

    assert alerter_from_env(["LOA_ALERT_MISSING"], None) is None


def test_alerter_never_raises_even_on_a_broken_alert() -> None:
    alerter = Alerter([])
    alerter(None)  # type: ignore[arg-type]
    alerter(_alert())
    assert alerter.flush(1)
    alerter.close()
    alerter(_alert())  # after close: ignored, not raised


def test_a_missing_alert_url_is_said_once_vietnamese_first_and_only_when_asked(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("LOA_ALERT_NOT_SET_ONCE", raising=False)
    monkeypatch.delenv("LOA_ALERT_NOT_SET_QUIET", raising=False)
    for _ in range(3):  # a worker renews its alerter on every reload
        assert alerter_from_env(["LOA_ALERT_NOT_SET_ONCE"], None) is None
    said = [r.getMessage() for r in caplog.records if "LOA_ALERT_NOT_SET_ONCE" in r.getMessage()]
    assert len(said) == 1
    assert said[0].startswith("chưa đặt biến môi trường LOA_ALERT_NOT_SET_ONCE")
    assert said[0].index("chưa đặt") < said[0].index("is not set")
    assert alerter_from_env(["LOA_ALERT_NOT_SET_QUIET"], None, warn=False) is None
    assert "LOA_ALERT_NOT_SET_QUIET" not in caplog.text

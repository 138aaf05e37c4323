"""`loa channels connect`: connecting an account, the way each platform wants it.

OAuth platforms (Zalo, YouTube): Loa prints the consent address and waits for the platform to
send the browser back to a one-shot callback on 127.0.0.1 (on `--port`, for a registered
redirect address); a person on another machine can paste the code instead, or finish later with
`--code` (loa/pending_consent.py keeps the consent). The callback page says "connected" only once
the code was exchanged, and shows the refusal otherwise. Facebook takes a user token and keeps the
page token it leads to; WordPress an application password. Secrets are read without echo and
never printed.
"""

from __future__ import annotations

import html
import logging
import select
import sys
import threading
import webbrowser
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import update
from sqlmodel import col

from channels.base import Account, Authorization, ChannelError
from channels.http import mask as mask_text
from content import audit
from content.db import Database
from content.models import Channel, ChannelState, Delivery, DeliveryState
from content.timeutil import utcnow

log = logging.getLogger(__name__)

CALLBACK_PATH = "/callback"
WAIT_SECONDS = 300
# How long the browser's request waits for the code exchange before the page says so.
EXCHANGE_SECONDS = 120


class ConnectError(RuntimeError):
    pass


def open_browser(url: str) -> bool:
    """Try the machine's browser; on a server without one the person copies the address."""
    try:
        return webbrowser.open(url)
    except webbrowser.Error:
        return False


class CallbackServer:
    """Receives the platform's redirect once: ?code=...&state=... on 127.0.0.1.

    The browser's request is answered only when `finish` says how the exchange went, so the page
    never claims a connection that then failed.
    """

    def __init__(self, port: int = 0) -> None:
        self.code: str | None = None
        self.error: str | None = None
        self.state: str | None = None
        self.received = threading.Event()
        self._finished = threading.Event()
        self._outcome: tuple[bool, str] = (False, "")
        try:
            self.httpd = HTTPServer(("127.0.0.1", port), self._handler())
        except OSError as error:
            raise ConnectError(
                f"cổng {port} đang bận hoặc không mở được ({error.strerror})"
                f" / port {port} is busy or cannot be opened"
            ) from None

    def finish(self, connected: bool, message: str) -> None:
        """How the exchange went, for the page the browser is waiting for."""
        self._outcome = (connected, message)
        self._finished.set()

    def _page(self) -> tuple[int, str]:
        if not self._finished.wait(EXCHANGE_SECONDS):
            self._outcome = (False, "Loa chưa đổi xong mã. / Loa has not finished the exchange.")
        connected, message = self._outcome
        if connected:
            title = "Đã kết nối / Connected"
            hint = "Có thể đóng cửa sổ này. / You may close this window."
        else:
            title = "Chưa kết nối được / Not connected"
            hint = "Xem dòng lệnh đã chạy `loa channels connect`. / See the command line."
        body = (
            f'<!doctype html><html lang="vi"><head><meta charset="utf-8">'
            f"<title>{title} - Loa</title></head><body><h1>{title}</h1>"
            f"<p>{html.escape(message)}</p><p>{hint}</p></body></html>"
        )
        return (200 if connected else 400), body

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{CALLBACK_PATH}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {key: values[0] for key, values in parse_qs(parts.query).items()}
                if parts.path != CALLBACK_PATH:
                    self.send_error(404)
                    return
                if server.received.is_set():  # one-shot: a reload must not start a 2nd exchange
                    self.send_error(410)
                    return
                server.code = query.get("code")
                server.error = query.get("error") or (None if server.code else "no code")
                server.state = query.get("state")
                server.received.set()
                status, body = server._page()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, format: str, *args: Any) -> None:
                log.debug("callback: " + format, *args)

        return Handler

    def __enter__(self) -> CallbackServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def connect_oauth(
    adapter: Any,
    say: Callable[[str], None],
    *,
    redirect_uri: str | None = None,
    port: int = 0,
    started: Callable[[Authorization], None] | None = None,
    wait_seconds: float = WAIT_SECONDS,
) -> Account:
    """Consent in a browser, then exchange the code for tokens the adapter stores.

    With the platform's registered `redirect_uri` pointing elsewhere (Zalo requires a registered
    address), the browser lands there and the person pastes the `code` shown in its address bar
    here, or gives it later to `--code` (`started` keeps the consent for that).
    """
    with CallbackServer(port) as callback:
        try:
            authorization: Authorization = adapter.authorize(redirect_uri or callback.redirect_uri)
            if started is not None:
                started(authorization)
            say(authorization.url)
            open_browser(authorization.url)
            got = _wait_for_code(callback, wait_seconds)
            if callback.state is not None and callback.state != authorization.state:
                raise ConnectError(
                    "trạng thái trong câu trả lời không khớp: hãy bắt đầu lại"
                    " / the answer's state does not match: start again"
                )
            account: Account = adapter.complete(authorization, got)
        except (ChannelError, ConnectError) as error:
            callback.finish(False, str(error))
            raise
        except BaseException:
            callback.finish(False, "Lỗi không mong đợi. / Unexpected error.")
            raise
        callback.finish(True, f"{account.name} ({account.id})" if account.name else account.id)
        return account


def _wait_for_code(callback: CallbackServer, wait_seconds: float) -> str:
    """The code from the callback, or pasted on standard input when that is a terminal."""
    interactive = sys.stdin is not None and sys.stdin.isatty()
    waited = 0.0
    while waited < wait_seconds:
        if callback.received.wait(0.5):
            if callback.code:
                return callback.code
            raise ConnectError(
                f"nền tảng từ chối / the platform refused: {mask_text(callback.error or '')}"
            )
        waited += 0.5
        if interactive and select.select([sys.stdin], [], [], 0)[0]:
            pasted = sys.stdin.readline().strip()
            if pasted:
                return pasted
    raise ConnectError(
        f"không có trả lời từ nền tảng sau {wait_seconds:.0f} giây; hãy thử lại hoặc dùng --code"
        f" / no answer from the platform within {wait_seconds:.0f} s; try again or use --code"
    )


def record_connected(
    db: Database,
    channel_id: str,
    actor: str,
    account_id: str,
    event: str = "channel.connected",
    only_if_needs_auth: bool = False,
) -> bool:
    """After a successful connection, from the command line or the pages (or a check that finds
    the credentials working again, `only_if_needs_auth`): the channel is active again and the
    posts held while it waited for a person go out now, late rather than lost. Whether anything
    was recorded."""
    with db.write() as session:
        row = session.get(Channel, channel_id)
        if only_if_needs_auth and (row is None or row.state != ChannelState.needs_auth):
            return False
        if row is not None and row.state == ChannelState.needs_auth:
            session.execute(
                update(Delivery)
                .where(
                    col(Delivery.channel_id) == channel_id,
                    col(Delivery.state) == DeliveryState.scheduled,
                    col(Delivery.due_at) < utcnow(),
                )
                .values(due_at=utcnow())
            )
        if row is not None:
            row.state = ChannelState.active
        audit.record(session, actor, event, channel_id=channel_id, account=account_id)
    return True

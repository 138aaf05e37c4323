"""`loa channels connect`: connecting an account, the way each platform wants it.

OAuth platforms (Zalo, YouTube): Loa prints the consent address and waits for the platform to
send the browser back to a one-shot callback on 127.0.0.1; a person on another machine can paste
the code instead. Facebook takes a user token and keeps the page token it leads to; WordPress an
application password. Secrets are read without echo and never printed.
"""

from __future__ import annotations

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

from channels.base import Account
from content import audit
from content.db import Database
from content.models import Channel, ChannelState, Delivery, DeliveryState
from content.timeutil import utcnow

log = logging.getLogger(__name__)

CALLBACK_PATH = "/callback"
WAIT_SECONDS = 300


class ConnectError(RuntimeError):
    pass


def open_browser(url: str) -> bool:
    """Try the machine's browser; on a server without one the person copies the address."""
    try:
        return webbrowser.open(url)
    except webbrowser.Error:
        return False


class CallbackServer:
    """Receives the platform's redirect once: ?code=...&state=... on 127.0.0.1."""

    def __init__(self, port: int = 0) -> None:
        self.code: str | None = None
        self.error: str | None = None
        self.state: str | None = None
        self.received = threading.Event()
        self.httpd = HTTPServer(("127.0.0.1", port), self._handler())

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
                server.code = query.get("code")
                server.error = query.get("error") or (None if server.code else "no code")
                server.state = query.get("state")
                body = (
                    "<html><body><h1>Đã kết nối / Connected</h1>"
                    "<p>Có thể đóng cửa sổ này. / You may close this window.</p></body></html>"
                )
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body.encode())
                server.received.set()

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
    wait_seconds: float = WAIT_SECONDS,
) -> Account:
    """Consent in a browser, then exchange the code for tokens the adapter stores.

    With the platform's registered `redirect_uri` pointing elsewhere (Zalo requires a registered
    address), the browser lands there and the person pastes the `code` shown in its address bar
    here; either way the exchange happens in this run, which holds the PKCE verifier.
    """
    with CallbackServer() as callback:
        authorization = adapter.authorize(redirect_uri or callback.redirect_uri)
        say(authorization.url)
        open_browser(authorization.url)
        got = _wait_for_code(callback, wait_seconds)
        if callback.state is not None and callback.state != authorization.state:
            raise ConnectError("the answer's state does not match: start again")
        return adapter.complete(authorization, got)  # type: ignore[no-any-return]


def _wait_for_code(callback: CallbackServer, wait_seconds: float) -> str:
    """The code from the callback, or pasted on standard input when that is a terminal."""
    interactive = sys.stdin is not None and sys.stdin.isatty()
    waited = 0.0
    while waited < wait_seconds:
        if callback.received.wait(0.5):
            if callback.code:
                return callback.code
            raise ConnectError(f"the platform refused: {callback.error}")
        waited += 0.5
        if interactive and select.select([sys.stdin], [], [], 0)[0]:
            pasted = sys.stdin.readline().strip()
            if pasted:
                return pasted
    raise ConnectError(f"no answer from the platform within {wait_seconds:.0f} s; try again")


def record_connected(db: Database, channel_id: str, actor: str, account_id: str) -> None:
    """After a successful connection, from the command line or the pages: the channel is
    active again and the posts held while it waited for a person go out now, late rather than
    lost."""
    with db.write() as session:
        row = session.get(Channel, channel_id)
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
        audit.record(session, actor, "channel.connected", channel_id=channel_id, account=account_id)

"""Connecting a channel's account from the web pages (`/channels/ID/connect`).

The same adapter methods as `loa channels connect` (loa/channel_commands.py, loa/connect.py):
`authorize` / `complete` for OAuth, `complete_token` for a Facebook user token or a WordPress
application password, with the credentials stored encrypted by the adapter's credential store.
The OAuth consent's PKCE verifier stays here, in memory, keyed by its `state` and bound to the
administrator's session, for `PENDING_SECONDS`; `loa serve` is one process, so it is found again
when the platform sends the browser back.
"""

from __future__ import annotations

import hmac
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from channels.base import Account, Authorization, ChannelError
from channels.errors import worded
from channels.registry import RegistryError, adapter_class
from content.errors import NotFound, UserError
from loa.adapters import build_adapter, ensure_key
from loa.app import App
from loa.connect import WAIT_SECONDS, record_connected
from web.services import ConnectStart

log = logging.getLogger(__name__)

PENDING_SECONDS = WAIT_SECONDS * 2  # ten minutes to consent on the platform's page
MAX_PENDING = 200  # consents started and never finished are dropped, the oldest first


@dataclass(frozen=True)
class _Pending:
    channel_id: str
    owner: str
    authorization: Authorization
    expires: float


class WebConnector:
    """`web.services.ChannelConnector` for `loa serve`, built on the App."""

    def __init__(self, app: App, clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.clock = clock
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()

    def kind(self, channel_id: str) -> str:
        try:
            kind: str = adapter_class(self._config(channel_id).type).connect_kind
        except RegistryError as error:
            raise UserError(str(error), f"Loại kênh không được hỗ trợ: {error}") from None
        return kind

    def begin(self, channel_id: str, redirect_uri: str, owner: str) -> ConnectStart:
        adapter = self._adapter(channel_id)
        if adapter.connect_kind != "oauth":
            return ConnectStart(str(adapter.connect_kind))
        try:
            authorization: Authorization = adapter.authorize(redirect_uri)
        except ChannelError as error:
            raise _not_connected(channel_id, error) from None
        now = self.clock()
        with self._lock:
            self._forget_expired(now)
            while len(self._pending) >= MAX_PENDING:
                self._pending.pop(next(iter(self._pending)))
            self._pending[authorization.state] = _Pending(
                channel_id, owner, authorization, now + PENDING_SECONDS
            )
        return ConnectStart("oauth", authorization.url)

    def finish(self, channel_id: str, state: str, code: str, owner: str, actor: str) -> str:
        with self._lock:
            self._forget_expired(self.clock())
            pending = self._pending.get(state) if state else None
            if (
                pending is None
                or pending.channel_id != channel_id
                or not hmac.compare_digest(pending.owner.encode(), owner.encode())
            ):
                raise UserError(
                    "this consent answer is unknown, expired or was started by another session:"
                    " start the connection again",
                    "Câu trả lời cấp quyền này không hợp lệ, đã hết hạn hoặc thuộc phiên khác:"
                    " hãy bắt đầu kết nối lại.",
                )
            del self._pending[state]  # one use only
        if not code:
            raise UserError(
                f"{channel_id} was not connected: the platform sent no code (access refused?)",
                f"Chưa kết nối được {channel_id}: nền tảng không gửi mã (quyền bị từ chối?).",
            )
        adapter = self._adapter(channel_id)
        try:
            account: Account = adapter.complete(pending.authorization, code)
        except ChannelError as error:
            raise _not_connected(channel_id, error) from None
        return self._connected(channel_id, account, actor)

    def complete_secret(self, channel_id: str, secret: str, actor: str) -> str:
        adapter = self._adapter(channel_id)
        if adapter.connect_kind == "none":
            raise UserError(
                f"{channel_id} needs no connection: there is no account, token or password",
                f"Kênh {channel_id} không cần kết nối: không có tài khoản hay mật khẩu nào.",
            )
        if adapter.connect_kind == "oauth":
            raise UserError(
                f"{channel_id} is connected through the platform's consent page",
                f"Kênh {channel_id} được kết nối qua trang cấp quyền của nền tảng.",
            )
        if not secret.strip():
            raise UserError("nothing was entered", "Chưa nhập gì.")
        try:
            account: Account = adapter.complete_token(secret.strip())
        except ChannelError as error:
            raise _not_connected(channel_id, error) from None
        return self._connected(channel_id, account, actor)

    # -- helpers -------------------------------------------------------------------------------

    def _config(self, channel_id: str) -> Any:
        try:
            return self.app.config.channel(channel_id)
        except KeyError:
            raise NotFound(f"no channel {channel_id!r}", f"Không có kênh “{channel_id}”.") from None

    def _adapter(self, channel_id: str) -> Any:
        self._config(channel_id)
        ensure_key(self.app)  # the first connection of a workspace, as the command line does
        return build_adapter(self.app, channel_id)

    def _forget_expired(self, now: float) -> None:
        for state in [s for s, p in self._pending.items() if p.expires <= now]:
            del self._pending[state]

    def _connected(self, channel_id: str, account: Account, actor: str) -> str:
        """As `loa channels connect` does: held posts go out now, the channel is active."""
        record_connected(self.app.db, channel_id, actor, account.id)
        log.info("channel=%s connected from the web by %s", channel_id, actor)
        return f"{account.name} ({account.id})" if account.name else account.id


def _not_connected(channel_id: str, error: Exception) -> UserError:
    return UserError(
        f"{channel_id} was not connected: {worded(error, 'en')}",
        f"Chưa kết nối được {channel_id}: {worded(error, 'vi')}",
    )

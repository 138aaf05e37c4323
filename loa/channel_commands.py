"""`loa channels connect` and `loa channels check`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import typer

from channels.base import Account, AuthRequired, ChannelError
from content.errors import UserError
from loa.adapters import build_adapter, ensure_key
from loa.app import App
from loa.connect import ConnectError, connect_oauth, record_connected
from loa.credentials import CredentialsUnreadable
from loa.views import words

PROMPTS = {
    "token": (
        "Dán mã truy cập người dùng Facebook (không hiện khi gõ)",
        "Paste a Facebook user access token (hidden)",
    ),
    "password": (
        "Nhập mật khẩu ứng dụng WordPress (không hiện khi gõ)",
        "Enter the WordPress application password (hidden)",
    ),
}


def connect_channel(
    app: App,
    channel_id: str,
    lang: str,
    say: Callable[[str], None],
    redirect_uri: str | None = None,
) -> Account:
    ensure_key(app)  # the first connection of a workspace made by hand
    adapter: Any = _adapter(app, channel_id)
    try:
        if adapter.connect_kind == "oauth":
            say(
                words(
                    lang,
                    "Mở địa chỉ sau để cấp quyền (hoặc dán mã nhận được vào đây):",
                    "Open this address to grant access (or paste the code you get here):",
                )
            )
            account: Account = connect_oauth(adapter, say, redirect_uri=redirect_uri)
        else:
            vi, en = PROMPTS[adapter.connect_kind]
            account = adapter.complete_token(_read_secret(words(lang, vi, en)))
    except (ChannelError, ConnectError) as error:
        raise UserError(
            f"{channel_id} was not connected: {error}",
            f"Chưa kết nối được {channel_id}: {error}",
        ) from None
    record_connected(app.db, channel_id, "cli", account.id)
    say(
        words(
            lang,
            f"Đã kết nối {channel_id} với tài khoản “{account.name}” ({account.id}).",
            f"Connected {channel_id} to the account “{account.name}” ({account.id}).",
        )
    )
    return account


def _adapter(app: App, channel_id: str) -> Any:
    try:
        return build_adapter(app, channel_id)
    except KeyError:
        known = ", ".join(channel.id for channel in app.config.channels)
        raise UserError(
            f"no channel {channel_id!r}; known: {known}",
            f"Không có kênh “{channel_id}”; các kênh: {known}.",
        ) from None


def _read_secret(prompt: str) -> str:
    if sys.stdin is not None and not sys.stdin.isatty():
        value = sys.stdin.readline().strip()
    else:
        value = typer.prompt(prompt, hide_input=True).strip()
    if not value:
        raise UserError("nothing was entered", "Chưa nhập gì.")
    return value


def check_channels(app: App, lang: str) -> tuple[list[str], bool]:
    """Ask every channel's platform whether its credentials work, without publishing."""
    lines, all_good = [], True
    for channel in app.config.channels:
        try:
            account = _adapter(app, channel.id).verify()
            status = words(lang, f"ổn — {account.name}", f"ok — {account.name}")
        except AuthRequired as error:
            all_good = False
            status = words(lang, f"cần kết nối: {error}", f"needs connecting: {error}")
        except FileNotFoundError:  # no key yet: nothing was ever connected in this workspace
            all_good = False
            status = words(
                lang,
                f"chưa kết nối: chạy `loa channels connect {channel.id}`",
                f"not connected: run `loa channels connect {channel.id}`",
            )
        except (ChannelError, CredentialsUnreadable) as error:
            all_good = False
            status = words(lang, f"lỗi: {error}", f"error: {error}")
        lines.append(f"{channel.id:<18} {channel.type:<14} {status}")
    return lines, all_good

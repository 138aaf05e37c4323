"""`loa channels connect` and `loa channels check`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from channels.base import Account, AuthRequired, ChannelError
from channels.errors import worded
from content.errors import UserError
from content.labels import platform_name
from loa.adapters import build_adapter, ensure_key, key_path
from loa.app import App
from loa.connect import CALLBACK_PATH, ConnectError, connect_oauth, record_connected
from loa.credentials import CredentialsUnreadable
from loa.keys import load_key
from loa.pending_consent import PENDING_SECONDS, PendingConsents
from loa.token_connect import connect_with_token
from loa.views import words

# What the prompt asks for, by connect kind, unless the adapter words it (`connect_prompt`).
PROMPTS = {
    "token": ("Dán mã truy cập (không hiện khi gõ)", "Paste the access token (hidden)"),
    "password": ("Nhập mật khẩu (không hiện khi gõ)", "Enter the password (hidden)"),
}


def prompt_for(adapter: Any) -> tuple[str, str]:
    """The adapter's own words for its secret (class data `connect_prompt`: Vietnamese, then
    English), else Loa's for its connect kind: a new platform needs no change here."""
    own = getattr(adapter, "connect_prompt", None)
    if isinstance(own, tuple) and len(own) == 2 and all(isinstance(w, str) and w for w in own):
        return own[0], own[1]
    vi, en = PROMPTS[adapter.connect_kind]
    return vi, en


@dataclass(frozen=True)
class ConnectOptions:
    """How `loa channels connect` was asked to connect (see its --help)."""

    redirect_uri: str | None = None
    code: str | None = None  # completes the consent a --no-browser run started
    token_stdin: bool = False  # one line of standard input: a token or password, no prompt
    no_browser: bool = False  # print the consent address, keep the consent, do not wait
    port: int = 0  # the callback's port (0: any free one), for a registered redirect address


def connect_channel(
    app: App,
    channel_id: str,
    lang: str,
    say: Callable[[str], None],
    options: ConnectOptions | None = None,
) -> Account | None:
    """Connect one channel; None when a consent was started for a later `--code`."""
    options = options or ConnectOptions()
    if options.code is not None and options.token_stdin:
        raise UserError(
            "--code and --token-stdin are two ways of connecting: give one",
            "--code và --token-stdin là hai cách kết nối: chỉ dùng một.",
        )
    key_file = ensure_key(app)  # the first connection of a workspace made by hand
    adapter: Any = _adapter(app, channel_id)
    if adapter.connect_kind == "none":
        return _nothing_to_connect(adapter, channel_id, lang, say)
    pending = PendingConsents(_pending_folder(app, key_file), load_key(key_path(app)))
    try:
        if options.token_stdin:
            account: Account = connect_with_token(adapter, channel_id, _read_stdin_line())
        elif adapter.connect_kind != "oauth":
            if options.code is not None or options.no_browser:
                raise _no_consent_here(channel_id)
            vi, en = prompt_for(adapter)
            account = adapter.complete_token(_read_secret(words(lang, vi, en)))
        elif options.code is not None:
            account = adapter.complete(pending.find(channel_id), _code(options.code))
        elif options.no_browser:
            _start_consent(adapter, channel_id, lang, say, options, pending)
            return None
        else:
            say(
                words(
                    lang,
                    "Mở địa chỉ sau để cấp quyền (hoặc dán mã nhận được vào đây):",
                    "Open this address to grant access (or paste the code you get here):",
                )
            )
            account = connect_oauth(
                adapter,
                say,
                redirect_uri=options.redirect_uri,
                port=options.port,
                started=lambda authorization: pending.keep(channel_id, authorization),
            )
    except (ChannelError, ConnectError) as error:
        raise UserError(
            f"{channel_id} was not connected: {worded(error, 'en')}",
            f"Chưa kết nối được {channel_id}: {worded(error, 'vi')}",
        ) from None
    pending.forget(channel_id)
    record_connected(app.db, channel_id, "cli", account.id)
    say(
        words(
            lang,
            f"Đã kết nối {channel_id} với tài khoản “{account.name}” ({account.id}).",
            f"Connected {channel_id} to the account “{account.name}” ({account.id}).",
        )
    )
    return account


def _nothing_to_connect(
    adapter: Any, channel_id: str, lang: str, say: Callable[[str], None]
) -> Account:
    """A channel with no account (the static subpage): said so, and checked as `loa channels
    check` would, so the person learns at once whether it works."""
    say(
        words(
            lang,
            f"Kênh {channel_id} không cần kết nối: không có tài khoản hay mật khẩu nào để nhập.",
            f"{channel_id} needs no connection: there is no account, token or password to give.",
        )
    )
    try:
        account: Account = adapter.verify()
    except ChannelError as error:
        raise UserError(
            f"{channel_id} does not work yet: {worded(error, 'en')}",
            f"Kênh {channel_id} chưa dùng được: {worded(error, 'vi')}",
        ) from None
    say(words(lang, f"Kênh dùng được — {account.name}.", f"The channel works — {account.name}."))
    return account


def _start_consent(
    adapter: Any,
    channel_id: str,
    lang: str,
    say: Callable[[str], None],
    options: ConnectOptions,
    pending: PendingConsents,
) -> None:
    """Print the consent address and keep the consent: `--code` finishes it, from any shell."""
    redirect = options.redirect_uri or (
        f"http://127.0.0.1:{options.port}{CALLBACK_PATH}" if options.port else None
    )
    if redirect is None:
        raise UserError(
            "--no-browser needs the redirect address registered with the platform:"
            " --redirect-uri URL or --port PORT",
            "--no-browser cần địa chỉ chuyển hướng đã đăng ký với nền tảng:"
            " --redirect-uri ĐỊA_CHỈ hoặc --port CỔNG.",
        )
    authorization = adapter.authorize(redirect)
    pending.keep(channel_id, authorization)
    say(words(lang, "Mở địa chỉ sau để cấp quyền:", "Open this address to grant access:"))
    say(authorization.url)
    say(
        words(
            lang,
            f"Nền tảng sẽ chuyển trình duyệt về {redirect}?code=…; chép mã đó rồi chạy"
            f" `loa channels connect {channel_id} --code MÃ` (trong {PENDING_SECONDS // 60}"
            " phút).",
            f"The platform sends the browser to {redirect}?code=…; copy that code and run"
            f" `loa channels connect {channel_id} --code CODE` (within"
            f" {PENDING_SECONDS // 60} minutes).",
        )
    )


def _code(value: str) -> str:
    code = value.strip()
    if not code:
        raise UserError("--code: the code is empty", "--code: mã đang trống.")
    return code


def _no_consent_here(channel_id: str) -> UserError:
    return UserError(
        f"{channel_id} has no consent page: connect it without --code or --no-browser"
        " (the token or password is asked for, or read with --token-stdin)",
        f"Kênh {channel_id} không có trang cấp quyền: kết nối không cần --code hay --no-browser"
        " (mã hoặc mật khẩu được hỏi, hoặc đọc bằng --token-stdin).",
    )


def _pending_folder(app: App, key_file: Path | None) -> Path:
    return (key_file or key_path(app)).parent / "pending-consents"


def _adapter(app: App, channel_id: str) -> Any:
    try:
        return build_adapter(app, channel_id)
    except KeyError:
        known = ", ".join(channel.id for channel in app.config.channels)
        raise UserError(
            f"no channel {channel_id!r}; known: {known}",
            f"Không có kênh “{channel_id}”; các kênh: {known}.",
        ) from None


def _read_stdin_line() -> str:
    """One line of standard input, never echoed nor logged (a token or a password)."""
    value = sys.stdin.readline().strip() if sys.stdin is not None else ""
    if not value:
        raise UserError(
            "--token-stdin: standard input held no token", "--token-stdin: đầu vào chuẩn trống."
        )
    return value


def _read_secret(prompt: str) -> str:
    if sys.stdin is not None and not sys.stdin.isatty():
        value = sys.stdin.readline().strip()
    else:
        value = typer.prompt(prompt, hide_input=True).strip()
    if not value:
        raise UserError("nothing was entered", "Chưa nhập gì.")
    return value


def check_channels(app: App, lang: str) -> tuple[list[str], bool]:
    """Ask every channel's platform whether its credentials work, without publishing. A channel
    waiting for a person (needs_auth) whose credentials work again (a token renewed on the
    platform, a secret set) is active again and its held posts go out, as after connecting."""
    lines, all_good = [], True
    for channel in app.config.channels:
        try:
            account = _adapter(app, channel.id).verify()
            status = words(lang, f"ổn — {account.name}", f"ok — {account.name}")
            if record_connected(
                app.db,
                channel.id,
                "cli",
                account.id,
                "channel.reactivated",
                only_if_needs_auth=True,
            ):
                status += words(
                    lang,
                    " (đã kích hoạt lại; các bài bị giữ sẽ được đăng)",
                    " (reactivated; the posts held will go out)",
                )
        except AuthRequired as error:
            all_good = False
            status = words(lang, "cần kết nối: ", "needs connecting: ") + worded(error, lang)
        except FileNotFoundError:  # no key yet: nothing was ever connected in this workspace
            all_good = False
            status = words(
                lang,
                f"chưa kết nối: chạy `loa channels connect {channel.id}`",
                f"not connected: run `loa channels connect {channel.id}`",
            )
        except (ChannelError, CredentialsUnreadable) as error:
            all_good = False
            status = words(lang, "lỗi: ", "error: ") + worded(error, lang)
        lines.append(f"{channel.id:<18} {platform_name(channel.type, lang):<10} {status}")
    return lines, all_good

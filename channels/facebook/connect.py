"""Connecting a Facebook Page: whatever token a person holds becomes the Page's own token.

Two ways in, one stored shape, {"page_token", "page_id", "page_name"}; no other token is kept:
- `keep_page_token` (the prompt of `loa channels connect`): a person's short-lived user token,
  exchanged for a long-lived one (`oauth/access_token?grant_type=fb_exchange_token`), then
  `/me/accounts` for the Page's token, which does not expire.
- `connect_token` (`--token-stdin`): one `GET /me` says what the token is. A Page token answers
  as the Page itself and is kept as it is. Any other answer is a person or a Business Manager
  system user ("me refers to the system user since that is the user id from the access token",
  Meta's system-user guide): `/me/accounts` lists the Pages assigned to it, with a Page token
  as long-lived as the token given (a system-user token does not expire, nor do its Page
  tokens; a long-lived user token's Page tokens do not either).

The person ticks the permissions in `PERMISSIONS` (Graph API Explorer, or Business Settings when
generating a system-user token); `read_insights` lets channels.facebook.metrics read views and
reach.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from channels.base import (
    Account,
    AuthRequired,
    ChannelError,
    ChannelSetup,
    CredentialStore,
    Retryable,
)
from channels.errors import Step
from channels.facebook.errors import TOKEN_SUBCODES, GraphFault
from channels.facebook.graph import Graph, required


class PageAdapter(Protocol):
    """What connecting needs of the adapter (a protocol: this module must not import it)."""

    setup: ChannelSetup
    credentials: CredentialStore
    known_secrets: list[str]

    def app_id(self) -> str: ...

    def page_id(self) -> str: ...


SCAN_PAGES = 5  # pages of 100 managed Pages looked through
# What the token must carry: listing the Pages, reading them, posting, and the figures' Insights.
PERMISSIONS = ("pages_show_list", "pages_read_engagement", "pages_manage_posts", "read_insights")


def keep_page_token(adapter: PageAdapter, graph: Graph, user_token: str) -> None:
    setup = adapter.setup
    app_id, app_secret = adapter.app_id(), setup.secret("app_secret")
    adapter.known_secrets += [user_token, app_secret]
    adapter.page_id()  # an unconfigured page is refused before anything is sent
    exchanged = graph.sdk(
        user_token,
        Step("exchanging the user token for a long-lived one", "đổi mã người dùng lấy mã dài hạn"),
        lambda api: api.extend_access_token(app_id, app_secret),
        publishes=False,
        on_fault=_app_fault,
    )
    long_token = required(
        exchanged, "access_token", Step("exchanging the user token", "đổi mã người dùng"), Retryable
    )
    adapter.known_secrets.append(long_token)
    page = _assigned_page(
        adapter, graph, long_token, "this Facebook user", "người dùng Facebook này"
    )
    _store(
        adapter,
        required(
            page,
            "access_token",
            Step("reading the page token", "đọc mã truy cập của Trang"),
            Retryable,
        ),
        page,
    )


def connect_token(adapter: PageAdapter, graph: Graph, token: str) -> Account:
    """A Page token, or a user or system-user token that manages the Page (see the module)."""
    token = token.strip()
    page_id = adapter.page_id()
    if not token:
        raise AuthRequired("chưa có mã truy cập Facebook", "no Facebook access token was given")
    adapter.known_secrets.append(token)
    me = graph.sdk(
        token,
        Step("checking the token", "kiểm tra mã truy cập"),
        lambda api: api.get_object("me", fields="id,name"),
        publishes=False,
        on_fault=_refused_token,
    )
    if str(me.get("id")) == page_id:  # the Page's own token: kept as it is
        page: Mapping[str, Any] = {"id": page_id, "name": me.get("name")}
    else:
        who = f"“{me.get('name') or me.get('id')}”"
        page = _assigned_page(adapter, graph, token, who, who)
        token = required(
            page,
            "access_token",
            Step("reading the page token", "đọc mã truy cập của Trang"),
            Retryable,
        )
    _store(adapter, token, page)
    return Account(page_id, str(page.get("name") or ""))


def _store(adapter: PageAdapter, page_token: str, page: Mapping[str, Any]) -> None:
    adapter.credentials.save(
        {
            "page_token": page_token,
            "page_id": adapter.page_id(),
            "page_name": str(page.get("name") or ""),
        }
    )


def _assigned_page(
    adapter: PageAdapter, graph: Graph, token: str, who_en: str, who_vi: str
) -> Mapping[str, Any]:
    """The configured Page among those the token's user manages, if its role lets it post."""
    setup, page_id = adapter.setup, adapter.page_id()
    pages = list(_managed_pages(graph, token))
    page = next((p for p in pages if str(p.get("id")) == page_id), None)
    if page is None:
        names = ", ".join(f"{p.get('name')} ({p.get('id')})" for p in pages) or "none"
        raise AuthRequired(
            f"Kênh {setup.id}: {who_vi} không quản lý Trang {page_id}; các Trang được giao:"
            f" {names}. Hãy dùng mã của quản trị viên Trang, hoặc giao Trang cho người dùng hệ"
            " thống.",
            f"channel {setup.id}: {who_en} does not manage page {page_id};"
            f" the pages they manage: {names}. Sign in as an admin of the page, or assign the"
            " page to the system user.",
        )
    tasks = set(page.get("tasks") or ("CREATE_CONTENT",))
    if "CREATE_CONTENT" not in tasks:
        raise AuthRequired(
            f"Kênh {setup.id}: vai trò của {who_vi} trên Trang {page_id} không cho phép đăng"
            " bài (cần CREATE_CONTENT); hãy nhờ quản trị viên Trang kết nối kênh hoặc giao"
            " việc Tạo nội dung cho người dùng hệ thống.",
            f"channel {setup.id}: {who_en}'s role on page"
            f" {page_id} does not allow creating content; ask an admin to connect the channel"
            " or to give the system user the Create content task",
        )
    return page


def _managed_pages(graph: Graph, token: str) -> Iterator[Mapping[str, Any]]:
    args: dict[str, Any] = {"fields": "id,name,access_token,tasks", "limit": 100}
    for _ in range(SCAN_PAGES):
        page = graph.sdk(
            token,
            Step("listing the pages this user manages", "liệt kê các Trang người dùng này quản lý"),
            lambda api: api.get_connections("me", "accounts", **args),
            publishes=False,
            on_fault=_another_pages_token,
        )
        yield from page.get("data") or ()
        after = (page.get("paging") or {}).get("cursors", {}).get("after")
        if not (page.get("paging") or {}).get("next") or not after:
            return
        args["after"] = after


def _refused_token(fault: GraphFault) -> ChannelError | None:
    """While connecting, a token Facebook refuses is the pasted one, not a stored Page token."""
    if fault.code in (102, 190) or fault.subcode in TOKEN_SUBCODES:
        vi, en = TOKEN_SUBCODES.get(
            fault.subcode or 0, ("mã không hợp lệ", "the token is not valid")
        )
        return AuthRequired(
            f"Facebook không chấp nhận mã này: {vi}; hãy tạo mã mới",
            f"Facebook does not accept this token: {en}; generate a new one",
            fault.said(),
        )
    return None


def _another_pages_token(fault: GraphFault) -> ChannelError | None:
    """`/me/accounts` of a Page token: it answered `/me` as a Page, but not the configured one."""
    if fault.code == 100 and "node type (Page)" in fault.message:
        return AuthRequired(
            "Đây là mã của một Trang khác, không phải Trang đã cấu hình (settings.page_id).",
            "This is the token of another Page than the configured one (settings.page_id)",
            fault.said(),
        )
    return None


def _app_fault(fault: GraphFault) -> ChannelError | None:
    """Facebook answers a wrong app secret with code 1, which elsewhere means "try again":
    while connecting, a person is waiting, so say what to fix."""
    if fault.code == 101 or (fault.code == 1 and "secret" in fault.message.lower()):
        return AuthRequired(
            "Facebook từ chối mã ứng dụng hoặc khoá bí mật ứng dụng của Loa: hãy kiểm tra"
            " settings.app_id và khoá bí mật app_secret",
            "Facebook refused Loa's app id or app secret: check settings.app_id and the"
            " app_secret secret",
            fault.said(),
        )
    return None

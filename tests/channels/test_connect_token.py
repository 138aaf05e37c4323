"""`connect_token`: each adapter turns a token obtained elsewhere into its own stored credentials.

Against the sandboxes over HTTP, through the real clients: a Facebook Page token (kept as is) or a
Business Manager system-user token (its Page token kept), a Zalo OA refresh token (redeemed once,
the new pair kept), a YouTube refresh token (refreshed once) and a WordPress application
password. Refusals (a token without the Page, an expired or used one) leave the credentials as
they were and never show the token.
"""

from __future__ import annotations

from typing import Any

import pytest

from channels.base import AuthRequired, ChannelError, TokenConnectable
from channels.credentials import MemoryCredentials
from channels.sandbox.graph import GraphSandbox
from channels.sandbox.graph_model import MANAGED, PAGES
from channels.sandbox.server import SandboxServer
from channels.sandbox.youtube_google import READ
from channels.sandbox.zalo import OA
from tests.channels import test_facebook_page as fb
from tests.channels import test_wordpress as wp
from tests.channels import test_youtube as yt
from tests.channels import test_zalo_oa as zl

PAGE_ID, OTHER_PAGE = MANAGED


def graph(sandbox: SandboxServer) -> GraphSandbox:
    platform = sandbox.platform("graph")
    assert isinstance(platform, GraphSandbox)
    return platform


def refused(
    adapter: TokenConnectable, token: str, store: MemoryCredentials, *words: str
) -> ChannelError:
    """The refusal: AuthRequired, Vietnamese first, naming `words`, nothing stored, no token."""
    before = store.load()
    with pytest.raises(AuthRequired) as caught:
        adapter.connect_token(token)
    message = str(caught.value)
    assert not token.strip() or token.strip() not in message
    for word in words:
        assert word in message
    assert message.index(words[0]) < message.index(" / ")  # Vietnamese first, then English
    assert store.load() == before
    return caught.value


# -- Facebook Pages -----------------------------------------------------------------------------


def facebook(sandbox: SandboxServer) -> tuple[Any, MemoryCredentials]:
    store = MemoryCredentials()
    return fb.make_adapter(sandbox, credentials=store), store


def test_facebook_keeps_a_page_token_as_it_is(sandbox: SandboxServer) -> None:
    adapter, store = facebook(sandbox)
    token = fb.control(sandbox, "page_token", page_id=PAGE_ID)["access_token"]
    account = adapter.connect_token(f" {token}\n")
    assert (account.id, account.name) == (PAGE_ID, PAGES[PAGE_ID][0])
    assert account.url == f"{sandbox.url}/graph/_public/{PAGE_ID}"
    assert store.load() == {"page_token": token, "page_id": PAGE_ID, "page_name": PAGES[PAGE_ID][0]}
    assert adapter.publish(fb.publication()).remote_id.startswith(f"{PAGE_ID}_")


def test_facebook_system_user_token_leads_to_the_pages_own_token(sandbox: SandboxServer) -> None:
    adapter, store = facebook(sandbox)
    minted = fb.control(sandbox, "system_user", pages=[OTHER_PAGE, PAGE_ID])
    account = adapter.connect_token(minted["access_token"])
    assert (account.id, account.name) == (PAGE_ID, PAGES[PAGE_ID][0])
    stored = store.load() or {}
    assert set(stored) == {"page_token", "page_id", "page_name"}
    assert stored["page_token"] != minted["access_token"]  # the system-user token is not kept
    kept = graph(sandbox).tokens[stored["page_token"]]
    assert (kept.kind, kept.page_id, kept.expires) == ("page", PAGE_ID, None)
    assert adapter.verify().id == PAGE_ID
    assert adapter.publish(fb.publication()).remote_id.startswith(f"{PAGE_ID}_")


def test_facebook_refuses_a_system_user_without_the_page(sandbox: SandboxServer) -> None:
    adapter, store = facebook(sandbox)
    minted = fb.control(sandbox, "system_user", pages=[OTHER_PAGE], name="Máy chủ khác")
    refused(adapter, minted["access_token"], store, f"không quản lý Trang {PAGE_ID}", OTHER_PAGE)


def test_facebook_refuses_a_system_user_that_may_not_post(sandbox: SandboxServer) -> None:
    adapter, store = facebook(sandbox)
    minted = fb.control(sandbox, "system_user", pages=[PAGE_ID], tasks=["ANALYZE"])
    refused(adapter, minted["access_token"], store, "không cho phép đăng bài", "CREATE_CONTENT")


@pytest.mark.parametrize("kind", ["system_user", "page"])
def test_facebook_refuses_an_expired_token(sandbox: SandboxServer, kind: str) -> None:
    adapter, store = facebook(sandbox)
    if kind == "page":
        token = fb.control(sandbox, "page_token", page_id=PAGE_ID)["access_token"]
    else:
        token = fb.control(sandbox, "system_user", pages=[PAGE_ID])["access_token"]
    fb.control(sandbox, "expire_tokens", kind=kind, subcode=463)
    refused(adapter, token, store, "Facebook không chấp nhận mã này", "the token expired")


def test_facebook_refuses_another_pages_token_and_an_unreadable_one(
    sandbox: SandboxServer,
) -> None:
    adapter, store = facebook(sandbox)
    other = fb.control(sandbox, "page_token", page_id=OTHER_PAGE)["access_token"]
    refused(adapter, other, store, "mã của một Trang khác")
    refused(adapter, "EAAnot-a-token", store, "Facebook không chấp nhận mã này")
    refused(adapter, "   ", store, "Chưa có mã truy cập Facebook")


# -- Zalo OA ------------------------------------------------------------------------------------


def test_zalo_redeems_the_refresh_token_once_and_keeps_the_new_pair(
    sandbox: SandboxServer,
) -> None:
    store = MemoryCredentials()
    adapter = zl.make_adapter(sandbox, credentials=store)
    given = zl.control(sandbox, "issue_tokens")["refresh_token"]
    account = adapter.connect_token(given + "\n")
    assert (account.id, account.name) == (OA["oa_id"], OA["name"])
    stored = store.load() or {}
    assert stored["refresh_token"] != given and stored["access_token"]
    assert stored["oa_id"] == OA["oa_id"]
    assert {"access_expires_at", "refresh_expires_at"} <= set(stored)
    assert adapter.verify().id == OA["oa_id"]
    # single use: the same refresh token a second time is refused, the pair kept stays
    refused(adapter, given, store, "Zalo không chấp nhận mã làm mới này")


def test_zalo_refuses_an_expired_refresh_token(sandbox: SandboxServer) -> None:
    store = MemoryCredentials()
    adapter = zl.make_adapter(sandbox, credentials=store)
    given = zl.control(sandbox, "issue_tokens")["refresh_token"]
    zl.control(sandbox, "expire_refresh_tokens")
    refused(adapter, given, store, "Zalo không chấp nhận mã làm mới này")
    refused(adapter, "", store, "Chưa có mã làm mới Zalo")


# -- YouTube ------------------------------------------------------------------------------------


def test_youtube_refreshes_the_token_once_and_stores_it(sandbox: SandboxServer) -> None:
    store = MemoryCredentials()
    adapter = yt.make_adapter(sandbox, credentials=store)
    given = yt.issued(sandbox)["refresh_token"]
    account = adapter.connect_token(f"{given}\n")
    stored = store.load() or {}
    assert stored["refresh_token"] == given  # Google's refresh tokens do not rotate
    assert stored["token"] and stored["expiry"] and stored["scopes"]
    assert adapter.verify() == account


def test_youtube_refuses_a_revoked_token_and_one_that_cannot_upload(
    sandbox: SandboxServer,
) -> None:
    store = MemoryCredentials()
    adapter = yt.make_adapter(sandbox, credentials=store)
    read_only = yt.issued(sandbox, scopes=[READ])["refresh_token"]
    refused(adapter, read_only, store, "quyền tải video lên chưa được cấp")
    given = yt.issued(sandbox)["refresh_token"]
    with yt.platform_of(sandbox).lock:
        yt.platform_of(sandbox).control("revoke", {})
    refused(adapter, given, store, "Google không chấp nhận mã", "this refresh token")
    assert store.saves == 0


# -- WordPress ----------------------------------------------------------------------------------


def test_wordpress_takes_the_application_password(sandbox: SandboxServer) -> None:
    store = MemoryCredentials()
    adapter = wp.make_adapter(sandbox, credentials=store, secrets={})
    with pytest.raises(AuthRequired, match="invalid application password"):
        adapter.connect_token("abcd efgh ijkl mnop qrst uvwx")
    assert store.saves == 0
    issued = wp.site(sandbox).control("issue_app_password", {"user": wp.USER})
    account = adapter.connect_token(issued)
    assert store.load() == {"username": wp.USER, "app_password": issued}
    assert adapter.verify() == account


def test_every_adapter_can_be_connected_with_a_token(sandbox: SandboxServer) -> None:
    adapters = [
        facebook(sandbox)[0],
        zl.make_adapter(sandbox, credentials=MemoryCredentials()),
        yt.make_adapter(sandbox, credentials=MemoryCredentials()),
        wp.make_adapter(sandbox),
    ]
    assert all(isinstance(adapter, TokenConnectable) for adapter in adapters)

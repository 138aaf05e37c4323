"""Connecting a Facebook Page: a person's short-lived user token becomes the page's own token.

Loa exchanges the user token for a long-lived one (`oauth/access_token?grant_type=
fb_exchange_token`), asks `/me/accounts` for the page's token, which does not expire, and keeps
only that: {"page_token", "page_id", "page_name"}. The user tokens are never stored.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from channels.base import AuthRequired, ChannelError, ChannelSetup, CredentialStore, Retryable
from channels.facebook_errors import GraphFault
from channels.facebook_graph import Graph, required


class PageAdapter(Protocol):
    """What connecting needs of the adapter (a protocol: this module must not import it)."""

    setup: ChannelSetup
    credentials: CredentialStore
    known_secrets: list[str]

    def app_id(self) -> str: ...

    def page_id(self) -> str: ...


SCAN_PAGES = 5  # pages of 100 managed Pages looked through


def keep_page_token(adapter: PageAdapter, graph: Graph, user_token: str) -> None:
    setup = adapter.setup
    app_id, app_secret = adapter.app_id(), setup.secret("app_secret")
    adapter.known_secrets += [user_token, app_secret]
    page_id = adapter.page_id()
    exchanged = graph.sdk(
        user_token,
        "exchanging the user token for a long-lived one",
        lambda api: api.extend_access_token(app_id, app_secret),
        publishes=False,
        on_fault=_app_fault,
    )
    long_token = required(exchanged, "access_token", "exchanging the user token", Retryable)
    adapter.known_secrets.append(long_token)
    pages = list(_managed_pages(graph, long_token))
    page = next((p for p in pages if str(p.get("id")) == page_id), None)
    if page is None:
        names = ", ".join(f"{p.get('name')} ({p.get('id')})" for p in pages) or "none"
        raise AuthRequired(
            f"channel {setup.id}: this Facebook user does not manage page {page_id};"
            f" the pages they manage: {names}. Sign in as an admin of the page."
        )
    tasks = set(page.get("tasks") or ("CREATE_CONTENT",))
    if "CREATE_CONTENT" not in tasks:
        raise AuthRequired(
            f"channel {setup.id}: this Facebook user's role on page {page_id} does"
            " not allow creating content; ask an admin to connect the channel"
        )
    adapter.credentials.save(
        {
            "page_token": required(page, "access_token", "reading the page token", Retryable),
            "page_id": page_id,
            "page_name": str(page.get("name") or ""),
        }
    )


def _managed_pages(graph: Graph, token: str) -> Iterator[Mapping[str, Any]]:
    args: dict[str, Any] = {"fields": "id,name,access_token,tasks", "limit": 100}
    for _ in range(SCAN_PAGES):
        page = graph.sdk(
            token,
            "listing the pages this user manages",
            lambda api: api.get_connections("me", "accounts", **args),
            publishes=False,
        )
        yield from page.get("data") or ()
        after = (page.get("paging") or {}).get("cursors", {}).get("after")
        if not (page.get("paging") or {}).get("next") or not after:
            return
        args["after"] = after


def _app_fault(fault: GraphFault) -> ChannelError | None:
    """Facebook answers a wrong app secret with code 1, which elsewhere means "try again":
    while connecting, a person is waiting, so say what to fix."""
    if fault.code == 101 or (fault.code == 1 and "secret" in fault.message.lower()):
        return AuthRequired(
            "Facebook refused Loa's app id or app secret: check settings.app_id and the"
            f" app_secret secret ({fault.said()})"
        )
    return None

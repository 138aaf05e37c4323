"""`loa channels connect ID --token-stdin`: a token obtained elsewhere, checked, then stored.

Per platform, the token a script or a person already holds:
- Zalo OA: a refresh token (from the Zalo developer tools or another installation);
- YouTube: a refresh token (from Google's OAuth playground or another installation);
- Facebook Page: the Page's own token, or a user or Business Manager system-user token that
  manages the Page (its Page token is kept, as when connecting with a user token);
- WordPress: the application password.

Zalo and YouTube have no adapter call that takes a bare refresh token: the credentials are
written in the adapter's own shape (channels/zalo_api.py, channels/youtube_client.py), with the
access token marked expired, and `verify()` makes the adapter refresh and ask the platform who it
is. If that fails, the credentials the channel had before are put back.
"""

from __future__ import annotations

from typing import Any

from channels.base import Account, ChannelError
from content.errors import UserError

EXPIRED = "1970-01-01T00:00:00+00:00"  # forces a refresh before the first call


def connect_with_token(adapter: Any, channel_id: str, secret: str) -> Account:
    if adapter.type == "zalo_oa":
        account = _verified(
            adapter,
            {"access_token": "-", "access_expires_at": EXPIRED, "refresh_token": secret},
        )
        with adapter.credentials.exclusive() as stored:
            if stored:  # as after a consent: the OA's id beside the pair
                adapter.credentials.save({**stored, "oa_id": account.id})
        return account
    if adapter.type == "youtube":
        return _verified(adapter, {"token": None, "expiry": None, "refresh_token": secret})
    if adapter.type == "facebook_page" and _is_the_pages_token(adapter, secret):
        page_id = str(adapter.setup.settings.get("page_id") or "")
        return _verified(adapter, {"page_token": secret, "page_id": page_id, "page_name": ""})
    if not hasattr(adapter, "complete_token"):
        raise UserError(
            f"{channel_id} cannot be connected with a token from standard input",
            f"Kênh {channel_id} không kết nối được bằng mã từ đầu vào chuẩn.",
        )
    connected: Account = adapter.complete_token(secret)
    return connected


def _verified(adapter: Any, credentials: dict[str, Any]) -> Account:
    """Store, ask the platform (the adapter refreshes first if it must), or put back the old."""
    before = adapter.credentials.load()
    adapter.credentials.save(credentials)
    try:
        account: Account = adapter.verify()
    except BaseException:
        if before is None:
            adapter.credentials.clear()
        else:
            adapter.credentials.save(before)
        raise
    return account


def _is_the_pages_token(adapter: Any, token: str) -> bool:
    """A Page token answers `GET /me` as the Page itself; a user or system-user token as a person.

    One call, through the adapter's Graph client (its errors, masking and timeouts)."""
    page_id = str(adapter.setup.settings.get("page_id") or "")
    try:
        me = adapter._graph().sdk(
            token,
            "checking the token",
            lambda api: api.get_object("me", fields="id"),
            publishes=False,
        )
    except ChannelError:
        return False  # not readable as a Page token: the user-token path says why
    return bool(page_id) and str(me.get("id")) == page_id

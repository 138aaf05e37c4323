"""`loa channels connect ID --token-stdin`: a token obtained elsewhere, handed to its adapter.

What the token is, per platform (each adapter's `connect_token`, channels.base.TokenConnectable,
verifies it with the platform and stores credentials in its own shape):
- Zalo OA: a refresh token (from the Zalo developer tools or another installation);
- YouTube: a refresh token (from Google's OAuth playground or another installation);
- Facebook Page: the Page's own token, or a user or Business Manager system-user token that
  manages the Page (its Page token is kept);
- WordPress: the application password.
"""

from __future__ import annotations

from channels.base import Account, TokenConnectable
from content.errors import UserError


def connect_with_token(adapter: object, channel_id: str, secret: str) -> Account:
    if not isinstance(adapter, TokenConnectable):
        raise UserError(
            f"{channel_id} cannot be connected with a token from standard input",
            f"Kênh {channel_id} không kết nối được bằng mã từ đầu vào chuẩn.",
        )
    return adapter.connect_token(secret)

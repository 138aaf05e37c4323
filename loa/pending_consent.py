"""An OAuth consent started by `loa channels connect ID`, kept until `--code` completes it.

The exchange needs the consent's PKCE verifier, which a later run of the command does not have:
so the consent (its address, state, verifier and redirect address) is written, encrypted with the
workspace's credential key like the credentials themselves, to a 0600 file beside the key, one per
channel. A newer consent replaces an older one; a successful exchange removes it; it is good for
`PENDING_SECONDS`, as long as the platforms keep a consent code.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from channels.base import Authorization
from content.errors import UserError
from content.timeutil import utcnow

PENDING_SECONDS = 600  # Zalo's consent code lives about ten minutes; Google's about as long


class PendingConsents:
    def __init__(self, folder: Path, key: bytes) -> None:
        self.folder = folder
        self.cipher = Fernet(key)

    def keep(self, channel_id: str, authorization: Authorization) -> None:
        expires = utcnow() + timedelta(seconds=PENDING_SECONDS)
        plain = {
            "url": authorization.url,
            "state": authorization.state,
            "code_verifier": authorization.code_verifier,
            "redirect_uri": authorization.redirect_uri,
            "expires_at": expires.isoformat(),
        }
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = self._path(channel_id)
        partial = target.with_suffix(".tmp")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(self.cipher.encrypt(json.dumps(plain).encode()))
        partial.replace(target)

    def find(self, channel_id: str) -> Authorization:
        """The consent waiting for its code; one clear line when there is none, or it expired."""
        start_again = (
            f"chạy `loa channels connect {channel_id} --no-browser --port CỔNG` (hoặc"
            f" --redirect-uri) để bắt đầu lại",
            f"run `loa channels connect {channel_id} --no-browser --port PORT` (or"
            f" --redirect-uri) to start again",
        )
        path = self._path(channel_id)
        try:
            plain = json.loads(self.cipher.decrypt(path.read_bytes()))
        except FileNotFoundError:
            raise UserError(
                f"no consent is waiting for a code on {channel_id}: {start_again[1]}",
                f"Kênh {channel_id} không có yêu cầu cấp quyền nào đang chờ mã: {start_again[0]}.",
            ) from None
        except (InvalidToken, ValueError):
            raise UserError(
                f"the consent waiting on {channel_id} cannot be read: {start_again[1]}",
                f"Không đọc được yêu cầu cấp quyền đang chờ của {channel_id}: {start_again[0]}.",
            ) from None
        if datetime.fromisoformat(plain["expires_at"]) <= utcnow():
            self.forget(channel_id)
            raise UserError(
                f"the consent started for {channel_id} has expired: {start_again[1]}",
                f"Yêu cầu cấp quyền của {channel_id} đã hết hạn: {start_again[0]}.",
            )
        return Authorization(
            plain["url"], plain["state"], plain["code_verifier"], plain["redirect_uri"]
        )

    def forget(self, channel_id: str) -> None:
        self._path(channel_id).unlink(missing_ok=True)

    def _path(self, channel_id: str) -> Path:
        return self.folder / f"{channel_id}.consent"

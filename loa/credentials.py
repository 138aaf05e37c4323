"""Channel credentials, encrypted at rest in the channel's row, shared by every worker.

Fernet (AES-128-CBC with HMAC) with the key from `loa.keys`. `exclusive()` is a write
transaction on the channel row: `BEGIN IMMEDIATE` on SQLite, `SELECT ... FOR UPDATE` on
PostgreSQL. So one process at a time rotates a single-use refresh token, the others wait and then
see the new pair, and the pair is committed when `exclusive()` ends, before anyone uses it.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from content.db import Database
from content.models import Channel
from content.timeutil import utcnow

log = logging.getLogger(__name__)


_CREDENTIALS = select(col(Channel.credentials)).where(col(Channel.id) == bindparam("channel_id"))


class CredentialsUnreadable(RuntimeError):
    pass


class DatabaseCredentials:
    def __init__(self, db: Database, channel_id: str, key: bytes) -> None:
        self.db = db
        self.channel_id = channel_id
        self.cipher = Fernet(key)
        self._last: tuple[bytes, bytes] | None = None  # (ciphertext, plaintext) of the last read
        self._held = threading.local()

    def load(self) -> dict[str, Any] | None:
        # Read on every publish (another process may have rotated a token), so only the column.
        with self.db.read_connection() as connection:
            found = connection.execute(_CREDENTIALS, {"channel_id": self.channel_id}).first()
        if found is None:
            raise KeyError(f"no channel {self.channel_id!r}")
        return self._decrypt(found[0])

    def save(self, credentials: dict[str, Any]) -> None:
        session: Session | None = getattr(self._held, "session", None)
        if session is not None:
            self._write(session, credentials)
            return
        with self.db.write() as own:
            self._write(own, credentials)

    @contextmanager
    def exclusive(self) -> Iterator[dict[str, Any] | None]:
        with self.db.write() as session:
            row = self._row(session, lock=True)
            self._held.session = session
            try:
                yield self._decrypt(row.credentials)
            finally:
                self._held.session = None

    def clear(self) -> None:
        with self.db.write() as session:
            row = self._row(session, lock=True)
            row.credentials = None
            row.updated_at = utcnow()

    def _write(self, session: Session, credentials: dict[str, Any]) -> None:
        row = self._row(session)
        row.credentials = self.cipher.encrypt(json.dumps(credentials).encode())
        row.updated_at = utcnow()
        session.add(row)
        session.flush()
        log.info("credentials of channel %s saved", self.channel_id)

    def _row(self, session: Session, *, lock: bool = False) -> Channel:
        row = session.get(Channel, self.channel_id, with_for_update=lock and not self.db.is_sqlite)
        if row is None:
            raise KeyError(f"no channel {self.channel_id!r}")
        return row

    def _decrypt(self, blob: bytes | None) -> dict[str, Any] | None:
        if blob is None:
            return None
        try:
            value = json.loads(self._plaintext(blob))
        except InvalidToken:
            raise CredentialsUnreadable(
                f"the credentials of channel {self.channel_id} were encrypted with another key;"
                " restore the key (LOA_SECRET_KEY or the key file) or connect the channel again"
            ) from None
        return value if isinstance(value, dict) else None

    def _plaintext(self, blob: bytes) -> bytes:
        """Decrypted once per ciphertext: every publish reads the credentials, and they change
        only when a token is rotated or the channel reconnected (a new ciphertext)."""
        last = self._last
        if last is not None and last[0] == blob:
            return last[1]
        plaintext = self.cipher.decrypt(blob)
        self._last = (blob, plaintext)
        return plaintext

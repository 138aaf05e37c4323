"""Channel credentials at rest: encrypted in the channel's row, read fresh on every publish."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from content.db import Database
from content.models import Channel, Department
from loa.credentials import CredentialsUnreadable, DatabaseCredentials


class CountingFernet:
    def __init__(self, key: bytes, decrypted: list[bytes]) -> None:
        self.fernet = Fernet(key)
        self.decrypted = decrypted

    def encrypt(self, data: bytes) -> bytes:
        return self.fernet.encrypt(data)

    def decrypt(self, token: bytes) -> bytes:
        self.decrypted.append(token)
        return self.fernet.decrypt(token)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'loa.db'}")
    database.upgrade()
    with database.write() as session:
        session.add(Department(code="STTTT", name_vi="Sở TT&TT", name_en="DIC"))
        session.flush()
        session.add(Channel(id="web-asean", type="wordpress", department_code="STTTT"))
    return database


def test_credentials_are_encrypted_and_a_rotation_by_another_process_is_seen(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = Fernet.generate_key()
    mine, theirs = (
        DatabaseCredentials(db, "web-asean", key),
        DatabaseCredentials(db, "web-asean", key),
    )
    mine.save({"app_password": "abcd efgh ijkl"})
    with db.read() as session:
        row = session.get(Channel, "web-asean")
    assert row is not None and row.credentials is not None
    assert b"abcd" not in row.credentials

    decrypted: list[bytes] = []
    # cryptography 51's Fernet is a Rust class whose methods cannot be patched: count through a
    # stand-in that decrypts with the same key.
    monkeypatch.setattr(mine, "cipher", CountingFernet(key, decrypted))
    first = mine.load()
    assert first == {"app_password": "abcd efgh ijkl"}
    assert first is not None
    first["app_password"] = "changed by a caller"  # a caller's copy, not the store's
    assert mine.load() == {"app_password": "abcd efgh ijkl"}
    assert len(decrypted) == 1  # the same ciphertext is decrypted once

    theirs.save({"app_password": "mnop qrst uvwx"})  # another worker rotates it
    assert mine.load() == {"app_password": "mnop qrst uvwx"}
    assert len(decrypted) == 2


def test_credentials_under_another_key_say_how_to_recover(db: Database) -> None:
    DatabaseCredentials(db, "web-asean", Fernet.generate_key()).save({"app_password": "x"})
    with pytest.raises(CredentialsUnreadable, match="LOA_SECRET_KEY"):
        DatabaseCredentials(db, "web-asean", Fernet.generate_key()).load()

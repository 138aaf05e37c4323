"""Who a request speaks for, and how secrets are kept: what accounts and tokens both build on.

`content.users` (accounts, sessions) and `content.tokens` (API and feed tokens) both need these;
keeping them here lets the two form layers: users uses tokens, tokens uses neither.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from content.models import User
from content.workflow import Actor


def digest(secret: str) -> str:
    """What is stored in place of a secret: its sha256, hex."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    full_name: str
    role: str
    department_code: str | None
    active: bool
    has_password: bool
    email: str | None = None  # where notifications are mailed

    @property
    def actor(self) -> Actor:
        return Actor(self.id, self.username, self.role, self.department_code)

    @classmethod
    def of(cls, row: User) -> UserInfo:
        assert row.id is not None
        return cls(
            row.id,
            row.username,
            row.full_name,
            row.role,
            row.department_code,
            row.active,
            bool(row.password_hash),
            row.email,
        )

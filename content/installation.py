"""This installation's key (see `content.models.Installation`), read once per database."""

from __future__ import annotations

import threading
import weakref
from typing import Any

from sqlmodel import Session

from content.models import Installation

# Keyed by the connection pool, which the read and write engines of one Database share: the key
# never changes once made, and the worker's hot path should not read it again for every batch.
_KEYS: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def installation_key(session: Session) -> str:
    pool = session.get_bind().pool  # type: ignore[union-attr]
    with _LOCK:
        known = _KEYS.get(pool)
    if known is not None:
        return known
    row = session.get(Installation, 1)
    if row is None:
        raise LookupError("the database has no installation key: run `loa db upgrade`")
    with _LOCK:
        _KEYS[pool] = row.key
    return row.key

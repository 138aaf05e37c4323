"""An in-memory `CredentialStore`, for tests and one-off tools.

The real store (encrypted in the database, locked across processes) lives in `loa.credentials`.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class MemoryCredentials:
    def __init__(self, credentials: dict[str, Any] | None = None) -> None:
        self._credentials = copy.deepcopy(credentials)
        self._lock = threading.RLock()
        self.saves = 0

    def load(self) -> dict[str, Any] | None:
        with self._lock:
            return copy.deepcopy(self._credentials)

    def save(self, credentials: dict[str, Any]) -> None:
        with self._lock:
            self._credentials = copy.deepcopy(credentials)
            self.saves += 1

    @contextmanager
    def exclusive(self) -> Iterator[dict[str, Any] | None]:
        with self._lock:
            yield self.load()

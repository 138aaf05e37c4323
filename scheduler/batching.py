"""Group commit: results from many threads written in one transaction.

SQLite has one writer, and on the worker's hot path a transaction costs more than the two
statements in it. A thread hands in its item and takes the commit lock; whoever holds the lock
writes every item waiting at that moment, so under load one transaction records the results
of several threads, and alone a thread writes its own at once. When `submit` returns, the
item has been written (by this thread or by the one before it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class GroupCommit(Generic[T]):
    def __init__(self, write: Callable[[Sequence[T]], None]) -> None:
        self._write = write  # must not raise: it records failures in the items themselves
        self._waiting: list[T] = []
        self._waiting_lock = threading.Lock()
        self._commit_lock = threading.Lock()

    def submit(self, item: T) -> None:
        with self._waiting_lock:
            self._waiting.append(item)
        with self._commit_lock:
            with self._waiting_lock:
                batch, self._waiting = self._waiting, []
            if batch:
                self._write(batch)

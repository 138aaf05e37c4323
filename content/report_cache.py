"""The report's totals kept between readings while nothing they count has changed.

A view of `/reports` reads the year's totals (about a second of SQL at 250,000 deliveries) for
the page and again for each of its six charts, and the office opens it again and again between
two publications. So the totals of a period and scope are kept, with a stamp of what they were
counted from; each reading checks the stamp first (a few cheap aggregates, the published
deliveries' read from an index alone) and counts again when anything moved:
- a delivery published in the period, or no longer published (their count, ids and latest time);
- a figure read (every reading adds to `readings` and sets `collected_at`);
- a post edited (its `version` and `updated_at`), which may move it to another topic or department;
- a channel changed (its platform).
The same stamp, the same totals: the page, its charts, the files and the digest agree.

With the worker reading figures every few minutes most views would find the stamp moved and
wait for a recount. So the page (only: the files and the digest stay exact) reads inside
`stale_allowed(max_age)`: kept totals younger than `max_age` are answered at once, while one
recount per key runs in a thread of its own (its own session on the same engine) for the next
view; the allowance records when the totals it was given were counted, for the page to say so.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine, func, select
from sqlmodel import Session, col

from content.models import Channel, Delivery, DeliveryMetrics, Post
from content.stats import Scope

T = TypeVar("T")
ENTRIES = 16  # periods and scopes kept: a few years, the province and its departments
log = logging.getLogger(__name__)


@dataclass
class Allowance:
    """How old the totals a reader takes may be; `served_from` is when the oldest totals it was
    given were counted, if any were older than the data (None: every one was fresh)."""

    max_age: timedelta
    served_from: datetime | None = None

    def served(self, counted_at: datetime) -> None:
        if self.served_from is None or counted_at < self.served_from:
            self.served_from = counted_at


_ALLOWANCE: ContextVar[Allowance | None] = ContextVar("report_stale_allowance", default=None)


@contextmanager
def stale_allowed(max_age: timedelta) -> Iterator[Allowance]:
    """Readings of the cache in this block (this thread or task) may take kept totals younger
    than `max_age` though the data moved; zero or less keeps every reading exact."""
    allowance = Allowance(max_age)
    token = _ALLOWANCE.set(allowance if max_age > timedelta(0) else None)
    try:
        yield allowance
    finally:
        _ALLOWANCE.reset(token)


@dataclass(frozen=True)
class Kept(Generic[T]):
    stamp: tuple[Any, ...]
    result: T
    counted_at: datetime  # when the count began: the data it saw is at least this old


def stamp(session: Session, scope: Scope) -> tuple[Any, ...]:
    """What the totals of `scope` depend on, as cheap aggregates (any department's posts)."""
    published = Scope(scope.start, scope.end).where(
        select(
            func.count(), func.sum(col(Delivery.id)), func.max(col(Delivery.published_at))
        ).select_from(Delivery)
    )
    readings = select(
        func.count(),
        func.sum(col(DeliveryMetrics.readings)),
        func.max(DeliveryMetrics.collected_at),
    )
    posts = select(func.count(), func.sum(col(Post.version)), func.max(col(Post.updated_at)))
    channels = select(func.count(), func.max(col(Channel.updated_at)))
    return tuple(
        tuple(session.execute(query).one()) for query in (published, readings, posts, channels)
    )


class ReportCache:
    """The last ENTRIES results, each with its stamp; safe to share between threads."""

    def __init__(
        self, entries: int = ENTRIES, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.entries = entries
        self.clock = clock
        self._kept: OrderedDict[Hashable, Kept[Any]] = OrderedDict()
        self._recounts: dict[Hashable, threading.Thread] = {}
        self._lock = threading.Lock()

    def get(
        self, session: Session, key: Hashable, scope: Scope, count: Callable[[Session], T]
    ) -> T:
        """The result of `count(session)` for `key`, counted again only if the data moved since
        (or, inside `stale_allowed`, kept a while and recounted in the background)."""
        bind = session.get_bind()
        # The engine's own identity: two databases never share an entry.
        full_key = (id(bind), str(bind.engine.url), key)
        now = stamp(session, scope)
        allowance = _ALLOWANCE.get()
        with self._lock:
            kept = self._kept.get(full_key)
            if kept is not None and kept.stamp == now:
                self._kept.move_to_end(full_key)
                result: T = kept.result
                return result
            if kept is not None and allowance is not None and self._young(kept, allowance):
                allowance.served(kept.counted_at)
                self._recount_later(full_key, bind, scope, count)
                stale: T = kept.result
                return stale
        counted_at = self.clock()
        result = count(session)
        self._keep(full_key, Kept(now, result, counted_at))
        return result

    def wait(self, timeout: float | None = None) -> None:
        """Until the recounts under way have ended (for tests and benchmarks)."""
        with self._lock:
            running = list(self._recounts.values())
        for thread in running:
            thread.join(timeout)

    def recounting(self) -> int:
        with self._lock:
            return len(self._recounts)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()

    def _young(self, kept: Kept[Any], allowance: Allowance) -> bool:
        return self.clock() - kept.counted_at < allowance.max_age

    def _keep(self, full_key: Hashable, kept: Kept[Any]) -> None:
        with self._lock:
            before = self._kept.get(full_key)
            # A slow count finishing late never replaces totals counted after it began.
            if before is None or before.counted_at <= kept.counted_at:
                self._kept[full_key] = kept
            self._kept.move_to_end(full_key)
            while len(self._kept) > self.entries:
                self._kept.popitem(last=False)

    def _recount_later(
        self,
        full_key: Hashable,
        bind: Engine | Connection,
        scope: Scope,
        count: Callable[[Session], Any],
    ) -> None:
        """Start one recount of `full_key` unless one runs already (called under the lock)."""
        if full_key in self._recounts:
            return
        thread = threading.Thread(
            target=self._recount,
            args=(full_key, bind.engine if isinstance(bind, Connection) else bind, scope, count),
            name="report-recount",
            daemon=True,
        )
        self._recounts[full_key] = thread
        thread.start()

    def _recount(
        self, full_key: Hashable, engine: Engine, scope: Scope, count: Callable[[Session], Any]
    ) -> None:
        try:
            # Never the request's session: it is closed, or busy in another thread, by now.
            with Session(engine, expire_on_commit=False) as session, session.begin():
                counted_at = self.clock()
                now = stamp(session, scope)
                result = count(session)
            self._keep(full_key, Kept(now, result, counted_at))
        except Exception:
            # The kept totals stay (and keep being shown while young enough); the page never
            # sees the error.
            log.exception("recounting the report's totals failed; the kept ones stay")
        finally:
            with self._lock:
                self._recounts.pop(full_key, None)


TOTALS = ReportCache()

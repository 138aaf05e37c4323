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
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlmodel import Session, col

from content.models import Channel, Delivery, DeliveryMetrics, Post
from content.stats import Scope

T = TypeVar("T")
ENTRIES = 16  # periods and scopes kept: a few years, the province and its departments


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

    def __init__(self, entries: int = ENTRIES) -> None:
        self.entries = entries
        self._kept: OrderedDict[Hashable, tuple[tuple[Any, ...], Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session: Session, key: Hashable, scope: Scope, count: Callable[[], T]) -> T:
        """The result of `count()` for `key`, counted again only if the data moved since."""
        bind = session.get_bind()
        # The engine's own identity: two databases never share an entry.
        full_key = (id(bind), str(bind.engine.url), key)
        now = stamp(session, scope)
        with self._lock:
            kept = self._kept.get(full_key)
            if kept is not None and kept[0] == now:
                self._kept.move_to_end(full_key)
                result: T = kept[1]
                return result
        result = count()
        with self._lock:
            self._kept[full_key] = (now, result)
            self._kept.move_to_end(full_key)
            while len(self._kept) > self.entries:
                self._kept.popitem(last=False)
        return result

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


TOTALS = ReportCache()

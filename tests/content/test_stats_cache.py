"""The report's totals are kept between readings (content.report_cache) only while nothing they
count has changed: a publication, a figure read, a post moved to another topic or department
are all counted at the next reading. Inside `stale_allowed` (the page only) kept totals a while
old are answered at once and one recount runs in the background for the next reading."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col

from content import metrics
from content.db import Database
from content.models import Delivery, Post
from content.report_cache import TOTALS, stale_allowed
from content.report_data import totals
from content.stats import summarise as real_summarise
from content.timeutil import zone
from tests.factories import published_deliveries, seed

HCM = zone("Asia/Ho_Chi_Minh")
START, END = datetime(2026, 1, 1, tzinfo=HCM), datetime(2027, 1, 1, tzinfo=HCM)
AT = datetime(2026, 5, 5, 3, tzinfo=UTC)


BOUND = timedelta(minutes=30)


@pytest.fixture(autouse=True)
def _no_recount_left() -> Iterator[None]:
    TOTALS.clear()
    yield
    TOTALS.wait(timeout=30)
    TOTALS.clear()


def _read(db: Database) -> dict[str, dict[str, tuple[int, int, dict[str, int]]]]:
    with db.read() as session:
        found = totals(session, START, END, HCM, None)
    return {
        by: {g.key: (g.posts, g.deliveries, dict(g.totals)) for g in stats.groups}
        for by, stats in found.items()
    }


def test_a_change_to_what_is_counted_is_counted_at_the_next_reading(any_db: Database) -> None:
    (first,) = published_deliveries(any_db, 1, AT, topic="a")
    assert _read(any_db)["topic"] == {"a": (1, 1, {})}
    assert _read(any_db)["topic"] == {"a": (1, 1, {})}  # kept: the same answer
    published_deliveries(any_db, 1, AT + timedelta(days=1), topic="h")
    assert _read(any_db)["topic"] == {"a": (1, 1, {}), "h": (1, 1, {})}
    with any_db.write() as session:
        metrics.schedule_new(session)
        metrics.record(session, [metrics.Reading(first, {"views": 9})], AT + timedelta(days=2), HCM)
    assert _read(any_db)["topic"]["a"] == (1, 1, {"views": 9})
    with any_db.write() as session:
        post_id = session.get(Delivery, first).post_id  # type: ignore[union-attr]
        session.execute(
            update(Post).where(col(Post.id) == post_id).values(topic="g", version=Post.version + 1)
        )
    assert _read(any_db)["topic"] == {"g": (1, 1, {"views": 9}), "h": (1, 1, {})}
    with any_db.write() as session:
        session.execute(update(Delivery).where(col(Delivery.id) == first).values(state="removed"))
    assert _read(any_db)["topic"] == {"h": (1, 1, {})}


def test_two_databases_never_share_their_totals(any_db: Database, tmp_path: Path) -> None:
    other = Database(f"sqlite:///{tmp_path / 'other.db'}")
    other.upgrade()
    seed(other)
    published_deliveries(other, 2, AT)
    published_deliveries(any_db, 1, AT)
    assert _read(other)["channel"]["fb-asean-hue"][:2] == (2, 2)
    assert _read(any_db)["channel"]["fb-asean-hue"][:2] == (1, 1)
    other.dispose()


def _topics_allowing(db: Database, bound: timedelta = BOUND) -> tuple[Any, datetime | None]:
    """The topic totals as the page reads them, and when they were counted if stale."""
    with stale_allowed(bound) as allowance:
        found = _read(db)["topic"]
    return found, allowance.served_from


def test_the_page_gets_the_kept_totals_at_once_then_the_recounted_ones(any_db: Database) -> None:
    published_deliveries(any_db, 1, AT, topic="a")
    assert _topics_allowing(any_db) == ({"a": (1, 1, {})}, None)  # nothing kept: counted now
    published_deliveries(any_db, 1, AT + timedelta(days=1), topic="h")
    stale, counted_at = _topics_allowing(any_db)
    assert stale == {"a": (1, 1, {})}
    assert counted_at is not None and datetime.now(UTC) - counted_at < timedelta(minutes=1)
    TOTALS.wait(timeout=30)
    assert TOTALS.recounting() == 0
    # The recount kept the new totals: the next view is fresh, and says nothing about its age.
    assert _topics_allowing(any_db) == ({"a": (1, 1, {}), "h": (1, 1, {})}, None)


def test_the_files_and_the_digest_never_take_stale_totals(any_db: Database) -> None:
    published_deliveries(any_db, 1, AT, topic="a")
    assert _topics_allowing(any_db)[1] is None
    published_deliveries(any_db, 1, AT, topic="h")
    assert _read(any_db)["topic"] == {"a": (1, 1, {}), "h": (1, 1, {})}  # no allowance: exact
    assert TOTALS.recounting() == 0
    # A zero bound is no allowance either: the page counts in the request.
    published_deliveries(any_db, 1, AT, topic="g")
    assert _topics_allowing(any_db, timedelta(0))[0]["g"] == (1, 1, {})
    assert TOTALS.recounting() == 0


def test_totals_older_than_the_bound_are_counted_in_the_request(
    any_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = [datetime(2026, 12, 5, 5, 0, tzinfo=UTC)]
    monkeypatch.setattr(TOTALS, "clock", lambda: at[0])
    published_deliveries(any_db, 1, AT, topic="a")
    _topics_allowing(any_db)
    published_deliveries(any_db, 1, AT, topic="h")
    at[0] += BOUND - timedelta(seconds=1)
    assert _topics_allowing(any_db) == ({"a": (1, 1, {})}, datetime(2026, 12, 5, 5, tzinfo=UTC))
    TOTALS.wait(timeout=30)
    published_deliveries(any_db, 1, AT, topic="g")
    at[0] += BOUND  # the recount was counted at 5:29:59; now 5:59:59
    fresh, counted_at = _topics_allowing(any_db)
    assert counted_at is None and set(fresh) == {"a", "g", "h"}
    assert TOTALS.recounting() == 0


def test_one_recount_at_a_time_however_many_views(
    any_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    published_deliveries(any_db, 1, AT, topic="a")
    _topics_allowing(any_db)
    published_deliveries(any_db, 1, AT, topic="h")
    release, started = threading.Event(), []

    def held(*args: Any, **kwargs: Any) -> Any:
        started.append(threading.current_thread().name)
        assert release.wait(timeout=30)
        return real_summarise(*args, **kwargs)

    monkeypatch.setattr("content.report_data.summarise", held)
    for _ in range(3):
        assert _topics_allowing(any_db)[0] == {"a": (1, 1, {})}
    assert TOTALS.recounting() == 1
    release.set()
    TOTALS.wait(timeout=30)
    assert started == ["report-recount"]
    assert _topics_allowing(any_db) == ({"a": (1, 1, {}), "h": (1, 1, {})}, None)


def test_a_failing_recount_keeps_the_totals_and_is_logged(
    any_db: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    published_deliveries(any_db, 1, AT, topic="a")
    _topics_allowing(any_db)
    published_deliveries(any_db, 1, AT, topic="h")

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("content.report_data.summarise", broken)
    with caplog.at_level(logging.ERROR, logger="content.report_cache"):
        assert _topics_allowing(any_db)[0] == {"a": (1, 1, {})}
        TOTALS.wait(timeout=30)
    failed = [r for r in caplog.records if r.name == "content.report_cache"]
    assert len(failed) == 1 and failed[0].exc_info is not None
    assert "the database went away" in str(failed[0].exc_info[1])
    # The kept totals are still there for the next view, which tries again.
    stale, counted_at = _topics_allowing(any_db)
    assert stale == {"a": (1, 1, {})} and counted_at is not None
    TOTALS.wait(timeout=30)
    monkeypatch.setattr("content.report_data.summarise", real_summarise)
    _topics_allowing(any_db)
    TOTALS.wait(timeout=30)
    assert _topics_allowing(any_db) == ({"a": (1, 1, {}), "h": (1, 1, {})}, None)

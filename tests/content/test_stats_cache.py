"""The report's totals are kept between readings (content.report_cache) only while nothing they
count has changed: a publication, a figure read, a post moved to another topic or department
are all counted at the next reading."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update
from sqlmodel import col

from content import metrics
from content.db import Database
from content.models import Delivery, Post
from content.report_data import totals
from content.timeutil import zone
from tests.factories import published_deliveries, seed

HCM = zone("Asia/Ho_Chi_Minh")
START, END = datetime(2026, 1, 1, tzinfo=HCM), datetime(2027, 1, 1, tzinfo=HCM)
AT = datetime(2026, 5, 5, 3, tzinfo=UTC)


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

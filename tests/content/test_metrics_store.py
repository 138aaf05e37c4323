"""Figures of published deliveries: the reading schedule, snapshots, the latest view, claims."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from sqlmodel import col, select

from content import metrics
from content.db import Database
from content.models import DeliveryMetrics, MetricReading
from content.timeutil import zone
from tests.factories import published_deliveries

HCM = zone("Asia/Ho_Chi_Minh")
T0 = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def _published(db: Database, count: int) -> list[int]:
    return published_deliveries(db, count, T0)


def test_readings_follow_the_posts_age_then_monthly_to_the_years_end() -> None:
    times = []
    readings = 0
    while (due := metrics.next_reading(T0, readings, HCM)) is not None:
        times.append(due)
        readings += 1
    ages = [due - T0 for due in times]
    assert ages[:4] == [
        timedelta(hours=1),
        timedelta(days=1),
        timedelta(days=7),
        timedelta(days=30),
    ]
    assert all(later - earlier <= timedelta(days=30) for earlier, later in pairwise(times))
    # Published 10 March 2026: its year ends 1 November 2026 (Vietnam), and that is the last read.
    assert times[-1] == datetime(2026, 11, 1, tzinfo=HCM)
    # 9 April (30 days), then monthly: 9 May, 8 June, 8 July, 7 August, 6 September, 6 October.
    assert len(times) == 4 + 6 + 1


def test_a_post_of_late_october_is_read_into_the_next_reporting_year() -> None:
    published = datetime(2026, 10, 20, 3, 0, tzinfo=UTC)
    assert metrics.reporting_year_end(published, HCM) == datetime(2027, 11, 1, tzinfo=HCM)


def test_new_published_deliveries_get_their_first_reading_an_hour_later(any_db: Database) -> None:
    ids = _published(any_db, 3)
    with any_db.write() as session:
        assert metrics.schedule_new(session) == 3
        assert metrics.schedule_new(session) == 0
    with any_db.read() as session:
        rows = session.exec(
            select(DeliveryMetrics).order_by(col(DeliveryMetrics.delivery_id))
        ).all()
    assert [row.delivery_id for row in rows] == ids
    assert {row.next_due_at for row in rows} == {T0 + timedelta(hours=1)}


def test_claims_take_only_due_rows_and_hold_them_from_another_collector(any_db: Database) -> None:
    _published(any_db, 5)
    with any_db.write() as session:
        metrics.schedule_new(session)
        assert metrics.claim_due(session, T0 + timedelta(minutes=59)) == []
        first = metrics.claim_due(session, T0 + timedelta(hours=1), limit=3)
        second = metrics.claim_due(session, T0 + timedelta(hours=1))
    assert len(first) == 3 and len(second) == 2
    assert not {d.delivery_id for d in first} & {d.delivery_id for d in second}
    assert first[0].remote_id.startswith("fb-asean-hue-") and first[0].channel_id == "fb-asean-hue"


def test_every_reading_is_kept_and_the_latest_keeps_the_last_figure_reported(
    any_db: Database,
) -> None:
    (delivery_id,) = _published(any_db, 1)
    note = {"field": "views", "vi": "Trang chưa đủ 100 lượt thích", "en": "Page under 100 likes"}
    with any_db.write() as session:
        metrics.schedule_new(session)
        metrics.record(session, [metrics.Reading(delivery_id, {"views": 120, "shares": 0})],
                       T0 + timedelta(hours=1), HCM)  # fmt: skip
        later = metrics.Reading(delivery_id, {"views": None, "shares": 3}, notes=[note])
        metrics.record(session, [later], T0 + timedelta(days=1), HCM)
    with any_db.read() as session:
        latest = metrics.latest(session, [delivery_id])[delivery_id]
        snapshots = session.exec(select(MetricReading)).all()
        series = metrics.history(session, delivery_id)
        row = session.get(DeliveryMetrics, delivery_id)
    assert latest.figures == {"views": 120, "shares": 3}
    assert latest.notes == [note]
    assert latest.collected_at == T0 + timedelta(days=1)
    assert len(snapshots) == 4
    assert series["views"] == [(T0 + timedelta(hours=1), 120), (T0 + timedelta(days=1), None)]
    assert row is not None and row.next_due_at == T0 + timedelta(days=7)


def test_a_figure_never_reported_is_none_not_zero(db: Database) -> None:
    (delivery_id,) = _published(db, 1)
    with db.write() as session:
        metrics.schedule_new(session)
        reading = metrics.Reading(delivery_id, {"views": None, "comments": 0})
        metrics.record(session, [reading], T0 + timedelta(hours=1), HCM)
    with db.read() as session:
        assert metrics.latest(session, [delivery_id])[delivery_id].figures == {
            "views": None,
            "comments": 0,
        }


def test_a_gone_post_is_not_read_again(any_db: Database) -> None:
    (delivery_id,) = _published(any_db, 1)
    with any_db.write() as session:
        metrics.schedule_new(session)
        metrics.record(
            session, [metrics.Reading(delivery_id, gone=True)], T0 + timedelta(hours=1), HCM
        )
        assert metrics.claim_due(session, T0 + timedelta(days=400)) == []
        row = session.get(DeliveryMetrics, delivery_id)
        assert row is not None and row.gone and row.next_due_at is None


def test_forced_claims_read_posts_that_are_not_due(any_db: Database) -> None:
    ids = _published(any_db, 2)
    with any_db.write() as session:
        metrics.schedule_new(session)
        due = metrics.claim_due(session, T0, delivery_ids=[ids[1]], force=True)
    assert [d.delivery_id for d in due] == [ids[1]]


def test_units_spent_on_figures_are_counted_per_day(any_db: Database) -> None:
    with any_db.write() as session:
        metrics.log_call(session, "yt-hue-asean", T0, posts=50, units=1, outcome="ok")
        metrics.log_call(
            session, "yt-hue-asean", T0 + timedelta(hours=2), posts=7, units=1, outcome="ok"
        )
        metrics.log_call(
            session, "yt-hue-asean", T0 + timedelta(days=1), posts=5, units=1, outcome="ok"
        )
    with any_db.read() as session:
        assert metrics.units_spent(session, "yt-hue-asean", T0, T0 + timedelta(hours=3)) == 2
        assert metrics.units_spent(session, "fb-asean-hue", T0, T0 + timedelta(days=2)) == 0


@pytest.mark.parametrize("readings", [0, 1, 2, 3])
def test_the_first_four_readings_do_not_depend_on_the_zone(readings: int) -> None:
    assert metrics.next_reading(T0, readings, HCM) == metrics.next_reading(T0, readings, UTC)

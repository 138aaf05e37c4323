"""Totals of reach and engagement by channel, platform, topic, pillar, department and month."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from content import metrics
from content.db import Database
from content.stats import metric_names, stats
from content.timeutil import zone
from tests.factories import published_deliveries

HCM = zone("Asia/Ho_Chi_Minh")
MARCH = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
# 31 March 18:00 UTC is 1 April 01:00 in Vietnam: a post of April there.
LATE_MARCH_UTC = datetime(2026, 3, 31, 18, 0, tzinfo=UTC)
YEAR = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))


@pytest.fixture
def readings(any_db: Database) -> dict[str, list[int]]:
    made = {
        "fb": published_deliveries(any_db, 2, MARCH, topic="a", pillar="ASCC"),
        "yt": published_deliveries(
            any_db, 1, LATE_MARCH_UTC, channel_id="yt-hue-asean", topic="h", pillar="AEC"
        ),
        "sdl": published_deliveries(
            any_db,
            1,
            MARCH,
            channel_id="fb-dulich-hue",
            department="SDL",
            author="cbtt.sdl",
            topic="h",
        ),
    }
    values = {
        made["fb"][0]: {"views": 100, "reactions": 5, "shares": None},
        made["fb"][1]: {"views": None, "reactions": None},  # read, nothing reported
        made["yt"][0]: {"views": 40, "reactions": 2, "comments": 1},
        made["sdl"][0]: {"views": 7},
    }
    with any_db.write() as session:
        metrics.schedule_new(session)
        metrics.record(
            session,
            [metrics.Reading(delivery_id, figures) for delivery_id, figures in values.items()],
            MARCH + timedelta(days=30),
            HCM,
        )
    return made


def test_totals_add_reported_figures_and_count_deliveries_without_any(
    any_db: Database, readings: dict[str, list[int]]
) -> None:
    with any_db.read() as session:
        result = stats(session, *YEAR, "channel", HCM)
    by_key = {group.key: group for group in result.groups}
    assert list(by_key) == ["fb-asean-hue", "fb-dulich-hue", "yt-hue-asean"]
    facebook = by_key["fb-asean-hue"]
    assert facebook.deliveries == 2
    assert (facebook.with_figures, facebook.without_figures) == (1, 1)
    assert facebook.totals == {"views": 100, "reactions": 5}
    assert result.total.totals == {"views": 147, "reactions": 7, "comments": 1}
    assert result.total.deliveries == 4 and result.total.posts == 4
    assert result.total.last_collected == MARCH + timedelta(days=30)
    assert metric_names(result.groups) == ["views", "reactions", "comments"]


def test_months_are_the_months_of_the_configured_zone(
    any_db: Database, readings: dict[str, list[int]]
) -> None:
    with any_db.read() as session:
        result = stats(session, *YEAR, "month", HCM)
    assert [(g.key, g.deliveries) for g in result.groups] == [("2026-03", 3), ("2026-04", 1)]


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        ("platform", {"facebook_page": 3, "youtube": 1}),
        ("topic", {"a": 2, "h": 2}),
        ("pillar", {"-": 1, "AEC": 1, "ASCC": 2}),
        ("department", {"SDL": 1, "STTTT": 3}),
    ],
)
def test_every_grouping(
    any_db: Database, readings: dict[str, list[int]], by: str, expected: dict[str, int]
) -> None:
    with any_db.read() as session:
        result = stats(session, *YEAR, by, HCM)
    assert {g.key: g.deliveries for g in result.groups} == expected


def test_a_departments_scope_and_the_period_limit_what_is_counted(
    any_db: Database, readings: dict[str, list[int]]
) -> None:
    with any_db.read() as session:
        own = stats(session, *YEAR, "channel", HCM, departments={"SDL"})
        before = stats(session, YEAR[0], MARCH, "channel", HCM)
    assert [g.key for g in own.groups] == ["fb-dulich-hue"]
    assert own.total.totals == {"views": 7}
    assert before.groups == [] and before.total.deliveries == 0


def test_an_unknown_grouping_is_refused(db: Database) -> None:
    with db.read() as session, pytest.raises(ValueError, match="cannot group by 'week'"):
        stats(session, *YEAR, "week", HCM)


def test_the_reporting_year_starts_on_the_last_first_of_november() -> None:
    from content.stats import reporting_year_start

    assert reporting_year_start(datetime(2026, 12, 5, tzinfo=UTC), HCM) == datetime(
        2026, 11, 1, tzinfo=HCM
    )
    # 31 October 17:30 UTC is already 1 November in Vietnam.
    assert reporting_year_start(datetime(2026, 10, 31, 17, 30, tzinfo=UTC), HCM) == datetime(
        2026, 11, 1, tzinfo=HCM
    )
    assert reporting_year_start(datetime(2026, 10, 31, 16, 59, tzinfo=UTC), HCM) == datetime(
        2025, 11, 1, tzinfo=HCM
    )
